/**
 * A pilot's articles are indexed together into one stored AI value in KV (worker/ai/pilot-ai.ts),
 * rebuilt in every knowledge save and parsed by every isolate that serves the pilot's
 * conversations. Articles were bounded one by one (100,000 characters) but not in total: past
 * about 11 MB of text the stored value outgrows KV's 25 MiB, so a save answered 500 after its
 * article was already in D1, and every later intent, entity or article save of that pilot
 * failed the same way; below that, each conversation's isolate parsed a value of up to 25 MiB.
 * These tests fill D1 close to the limit directly (the API would rebuild 80 times) and save
 * through the API.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import { MAX_INTENT_CHARS, MAX_KNOWLEDGE_CHARS } from '../../worker/routes/admin/pilot-items.ts';
import { workspace } from './admin-fixtures.ts';

const ARTICLE_CHARS = 100_000;

function article(n: number, chars = ARTICLE_CHARS) {
  return {
    title: `Article ${n}`,
    body: `Shipping and returns, part ${n}. ${'lorem ipsum dolor '.repeat(chars / 18)}`.slice(
      0,
      chars,
    ),
    url: `https://help.example/articles/${n}`,
  };
}

/** Stores articles the way the API does (one row each), without rebuilding the pilot's AI. */
async function fill(workspaceId: string, pilotId: string, count: number) {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, n) =>
    env.DB.prepare(
      `INSERT INTO pilot_items (id, workspace_id, pilot_id, kind, name, data, created_at, updated_at)
       VALUES (?, ?, ?, 'knowledge', ?, ?, ?, ?)`,
    ).bind(
      `kn_fill_${pilotId}_${n}`,
      workspaceId,
      pilotId,
      `kn_fill_${pilotId}_${n}`,
      JSON.stringify(article(n)),
      now + n,
      now + n,
    ),
  );
  for (let i = 0; i < rows.length; i += 20) await env.DB.batch(rows.slice(i, i + 20));
}

async function storedRows(pilotId: string) {
  const { results } = await env.DB.prepare(
    "SELECT id, length(data) AS n FROM pilot_items WHERE pilot_id = ? AND kind = 'knowledge' ORDER BY id",
  )
    .bind(pilotId)
    .all<{ id: string; n: number }>();
  return results;
}

async function setup() {
  const ws = await workspace();
  const pilot = await ws.json<{ id: string }>('/pilots', {
    method: 'POST',
    body: { name: 'Big help center', trustedDomains: ['localhost'] },
  });
  const pilotId = pilot.body.id;
  // Just under the limit: one more full article does not fit.
  const fitting = Math.floor(MAX_KNOWLEDGE_CHARS / (ARTICLE_CHARS + 200));
  await fill(ws.id, pilotId, fitting);
  return { ws, pilotId };
}

type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };

describe('knowledge size per pilot', () => {
  it(`refuses an article that would take the pilot past ${MAX_KNOWLEDGE_CHARS} characters with 413 payload_too_large, and stores nothing`, async () => {
    const { ws, pilotId } = await setup();
    const before = await storedRows(pilotId);
    const res = await ws.json<ErrorBody>(`/pilots/${pilotId}/knowledge`, {
      method: 'POST',
      body: article(999),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe(ErrorCode.payloadTooLarge);
    expect(res.body.error.issues?.map((i) => i.path)).toEqual(['body']);
    expect(await storedRows(pilotId)).toEqual(before);
  }, 60_000);

  it('refuses to grow an article past the limit (413), and counts a replaced article once', async () => {
    const { ws, pilotId } = await setup();
    const small = await ws.json<{ id: string }>(`/pilots/${pilotId}/knowledge`, {
      method: 'POST',
      body: article(500, 1_000),
    });
    expect(small.status).toBe(201);
    const before = await storedRows(pilotId);
    const grown = await ws.json<ErrorBody>(`/pilots/${pilotId}/knowledge/${small.body.id}`, {
      method: 'PUT',
      body: article(500),
    });
    expect(grown.status).toBe(413);
    expect(grown.body.error.code).toBe(ErrorCode.payloadTooLarge);
    expect(await storedRows(pilotId)).toEqual(before);
    // Replacing it with text of the same size fits: its old text is not counted twice.
    const edited = await ws.json(`/pilots/${pilotId}/knowledge/${small.body.id}`, {
      method: 'PUT',
      body: { ...article(500, 1_000), title: 'Article 500, edited' },
    });
    expect(edited.status).toBe(200);
  }, 90_000);
});

describe('intents per pilot', () => {
  /** An intent of 2,000 phrases of ~48 characters: ~100,000 characters of JSON. */
  const intent = (n: number) => ({
    name: `topic_${n}`,
    trainingPhrases: Array.from(
      { length: 2_000 },
      (_, i) => `where is my parcel number ${n}-${i}, it was sent last week`,
    ),
  });

  it(`refuses an intent that would take the pilot past ${MAX_INTENT_CHARS} characters with 413 payload_too_large, and stores nothing`, async () => {
    const ws = await workspace();
    const pilot = await ws.json<{ id: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Many intents', trustedDomains: ['localhost'] },
    });
    const pilotId = pilot.body.id;
    const size = JSON.stringify(intent(0)).length;
    const now = Date.now();
    const rows = Array.from({ length: Math.floor(MAX_INTENT_CHARS / size) }, (_, n) =>
      env.DB.prepare(
        `INSERT INTO pilot_items (id, workspace_id, pilot_id, kind, name, data, created_at, updated_at)
         VALUES (?, ?, ?, 'intent', ?, ?, ?, ?)`,
      ).bind(
        `in_fill_${pilotId}_${n}`,
        ws.id,
        pilotId,
        `topic_${n}`,
        JSON.stringify(intent(n)),
        now,
        now,
      ),
    );
    await env.DB.batch(rows);
    const count = async () =>
      (
        await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM pilot_items WHERE pilot_id = ? AND kind = 'intent'",
        )
          .bind(pilotId)
          .first<{ n: number }>()
      )?.n;
    const before = await count();
    const res = await ws.json<ErrorBody>(`/pilots/${pilotId}/intents`, {
      method: 'POST',
      body: intent(999),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe(ErrorCode.payloadTooLarge);
    expect(res.body.error.issues?.map((i) => i.path)).toEqual(['body']);
    expect(await count()).toBe(before);
  }, 120_000);
});
