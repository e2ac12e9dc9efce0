/**
 * The attacker's review of what one admin key holder can do (2026-11-27): a read-only key
 * crashed the runtime with one `POST /flows/validate` (2,000 `matches` rules, each pattern
 * `[a-z]{1000}` 39 times over, every one compiled and cached); a write-only key minted a
 * read+write key; keys could be minted without end, each with its own rate-limit budget; and one
 * run's detail returned all of its steps (300,000 made a 50 MB answer).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import { MAX_LIVE_KEYS } from '../../worker/store/api-keys.ts';
import { addKey, workspace, workspaceWithFlow } from './admin-fixtures.ts';

describe('flow patterns a key holder writes', () => {
  it('refuses patterns that expand past the size cap in validate, before compiling them', async () => {
    const { ws, pilot } = await workspaceWithFlow();
    // Distinct, so no cache could have answered: each is `[a-z]{1000}` 39 times and a suffix.
    // Half of them open with a quoted `[` (`\Q[\E`), which a second review used to slip past the
    // first version of the bound.
    const patterns = Array.from({ length: 20 }, (_, i) =>
      i % 2 ? `\\Q[\\E${'.{1000}'.repeat(68)}]${i}` : `${'[a-z]{1000}'.repeat(39)}${i}`,
    );
    const res = await ws.call('/flows/validate', {
      method: 'POST',
      key: ws.readKey,
      body: {
        schemaVersion: 1,
        name: 'Huge patterns',
        pilotId: pilot.id,
        trigger: { type: 'event', name: 'go' },
        start: 'gate',
        nodes: [
          {
            id: 'gate',
            type: 'condition',
            branches: [
              {
                when: {
                  any: patterns.map((value) => ({
                    field: 'visitor.page_url',
                    op: 'matches',
                    value,
                  })),
                },
                next: 'done',
              },
            ],
            else: 'done',
          },
          { id: 'done', type: 'end' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const body = await res.json<{
      ok: boolean;
      errors: { code: string; path: string; message: string }[];
    }>();
    expect(body.ok).toBe(false);
    const refused = body.errors.filter((e) => e.code === 'bad_regex');
    expect(refused).toHaveLength(patterns.length);
    for (const [i, issue] of refused.entries()) {
      expect(issue.path).toBe(`nodes.0.branches.0.when.any.${i}.value`);
      expect(issue.message).toMatch(/too large/);
    }
  });

  it('refuses a regex entity past the size cap when it is saved, naming the pattern', async () => {
    const { ws, pilot } = await workspaceWithFlow();
    const res = await ws.call(`/pilots/${pilot.id}/entities`, {
      method: 'POST',
      body: { kind: 'regex', name: 'huge', pattern: '[a-z]{1000}' },
    });
    expect(res.status).toBe(400);
    const body = await res.json<{
      error: { code: string; issues: { path: string; message: string }[] };
    }>();
    expect(body.error.code).toBe(ErrorCode.invalidInput);
    expect(body.error.issues[0]?.path).toBe('pattern');
    expect(body.error.issues[0]?.message).toMatch(/too large/);
  });
});

describe('API keys a key holder creates', () => {
  it('refuses a write-only key that asks for a scope it lacks (403 naming scopes), and creates nothing', async () => {
    const ws = await workspace();
    const writer = await addKey(ws.id, 'write-only', ['write']);
    const before = await env.DB.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE workspace_id = ?')
      .bind(ws.id)
      .first<{ n: number }>();
    for (const scopes of [['read'], ['read', 'write']]) {
      const res = await ws.call('/api-keys', {
        method: 'POST',
        key: writer,
        body: { name: 'escalated', scopes },
      });
      expect({ scopes, status: res.status }).toEqual({ scopes, status: 403 });
      expect(await res.json()).toMatchObject({
        error: { code: ErrorCode.forbidden, issues: [{ path: 'scopes' }] },
      });
    }
    const after = await env.DB.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE workspace_id = ?')
      .bind(ws.id)
      .first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
    // Its own scope it may hand on.
    const same = await ws.call('/api-keys', {
      method: 'POST',
      key: writer,
      body: { name: 'another writer', scopes: ['write'] },
    });
    expect(same.status).toBe(201);
  });

  it(`holds a workspace to ${MAX_LIVE_KEYS} live keys (409), and a revoke frees a place`, async () => {
    const ws = await workspace(); // two keys already: a writer and a reader
    const made: string[] = [];
    for (let i = 2; i < MAX_LIVE_KEYS; i++) {
      const res = await ws.call('/api-keys', { method: 'POST', body: { name: `k${i}` } });
      expect(res.status).toBe(201);
      made.push((await res.json<{ id: string }>()).id);
    }
    const over = await ws.call('/api-keys', { method: 'POST', body: { name: 'one too many' } });
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({ error: { code: ErrorCode.conflict } });
    const live = await env.DB.prepare(
      'SELECT COUNT(*) AS n FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL',
    )
      .bind(ws.id)
      .first<{ n: number }>();
    expect(live?.n).toBe(MAX_LIVE_KEYS);
    expect((await ws.call(`/api-keys/${made[0]}`, { method: 'DELETE' })).status).toBe(200);
    const again = await ws.call('/api-keys', { method: 'POST', body: { name: 'in its place' } });
    expect(again.status).toBe(201);
  });
});

describe("a run's detail", () => {
  it('returns its first 1,000 steps in order and how many it recorded', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const runId = `enr_loop_${crypto.randomUUID()}`;
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO enrollments (id, workspace_id, pilot_id, flow_id, version, conversation_id, subject, status, triggered_at, updated_at)
       VALUES (?, ?, ?, ?, 1, ?, 'visitor', 'waiting', ?, ?)`,
    )
      .bind(runId, ws.id, pilot.id, flowId, `conv_${runId}`, now, now)
      .run();
    // 1,200 steps, written out of order: a looping question records steps every turn.
    const seqs = Array.from({ length: 1200 }, (_, i) => 1200 - i);
    for (let i = 0; i < seqs.length; i += 12) {
      const chunk = seqs.slice(i, i + 12);
      await env.DB.prepare(
        `INSERT INTO enrollment_steps (id, enrollment_id, flow_id, seq, node_id, node_type, version, status, at)
         VALUES ${chunk.map(() => "(?, ?, ?, ?, 'ask', 'ask_question', 1, 'ok', ?)").join(', ')}`,
      )
        .bind(...chunk.flatMap((seq) => [`${runId}_${seq}`, runId, flowId, seq, now + seq]))
        .run();
    }
    const res = await ws.call(`/enrollments/${runId}`, { key: ws.readKey });
    expect(res.status).toBe(200);
    const run = await res.json<{ steps: { seq: number }[]; stepCount: number }>();
    expect(run.stepCount).toBe(1200);
    expect(run.steps).toHaveLength(1000);
    expect(run.steps.map((s) => s.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });
});
