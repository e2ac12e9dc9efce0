/**
 * Totals per pilot (worker/store/pilot-limits.ts): a key holder creating flows, entities or
 * variables in a loop, or publishing ever larger flows, is refused with 413 payload_too_large
 * naming the field, and nothing is stored. Without them each create was a 201, and the
 * published snapshot every conversation of the pilot parses grew without end. The tests fill
 * D1 up to the cap directly (rows as the API writes them) and cross it through the API.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import {
  MAX_ENTITIES_PER_PILOT,
  MAX_ENTITY_CHARS,
  MAX_FLOWS_PER_PILOT,
  MAX_PUBLISHED_FLOW_CHARS,
  MAX_VARIABLE_CHARS,
  MAX_VARIABLES_PER_PILOT,
} from '../../worker/store/pilot-limits.ts';
import { sampleFlow, type Workspace, workspace } from './admin-fixtures.ts';

type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };

async function pilotOf(ws: Workspace): Promise<string> {
  const pilot = await ws.json<{ id: string }>('/pilots', {
    method: 'POST',
    body: { name: 'Busy pilot', trustedDomains: ['example.com'] },
  });
  return pilot.body.id;
}

async function batched(statements: D1PreparedStatement[]) {
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
}

/** A valid flow of about `chars` characters: a chain of long messages. */
function bigFlow(pilotId: string, chars: number) {
  const count = Math.ceil(chars / 4_000);
  const nodes = Array.from({ length: count }, (_, n) => ({
    id: `m${n}`,
    type: 'send_message',
    text: 'x'.repeat(3_950),
    next: n + 1 < count ? `m${n + 1}` : 'done',
  }));
  return { ...sampleFlow(pilotId), start: 'm0', nodes: [...nodes, { id: 'done', type: 'end' }] };
}

/** `count` flows of the pilot, stored as the API stores them; `publish` adds version 1 of each. */
async function fillFlows(
  ws: Workspace,
  pilotId: string,
  count: number,
  draft: unknown,
  publish = false,
) {
  const now = Date.now();
  const text = JSON.stringify(draft);
  const statements: D1PreparedStatement[] = [];
  for (let n = 0; n < count; n++) {
    const id = `flow_fill_${pilotId}_${n}`;
    statements.push(
      env.DB.prepare(
        `INSERT INTO flows (id, workspace_id, pilot_id, draft, revision, published_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?)`,
      ).bind(id, ws.id, pilotId, text, publish ? 1 : null, now + n, now + n),
    );
    if (publish)
      statements.push(
        env.DB.prepare(
          `INSERT INTO flow_versions (flow_id, version, definition, note, published_at, published_by)
           VALUES (?, 1, ?, '', ?, 'fill')`,
        ).bind(id, text, now),
      );
  }
  await batched(statements);
}

async function fillItems(
  ws: Workspace,
  pilotId: string,
  kind: 'entity' | 'variable',
  datas: Record<string, unknown>[],
) {
  const now = Date.now();
  await batched(
    datas.map((data, n) =>
      env.DB.prepare(
        `INSERT INTO pilot_items (id, workspace_id, pilot_id, kind, name, data, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        `${kind}_fill_${pilotId}_${n}`,
        ws.id,
        pilotId,
        kind,
        String(data.name),
        JSON.stringify(data),
        now + n,
        now + n,
      ),
    ),
  );
}

async function count(table: 'flows' | 'pilot_items', pilotId: string, kind?: string) {
  const sql =
    table === 'flows'
      ? 'SELECT COUNT(*) AS n FROM flows WHERE pilot_id = ?'
      : 'SELECT COUNT(*) AS n FROM pilot_items WHERE pilot_id = ? AND kind = ?';
  const row = await env.DB.prepare(sql)
    .bind(...(kind ? [pilotId, kind] : [pilotId]))
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Characters stored in all of a pilot's items of `kind` (what the per-pilot totals cap). */
async function storedChars(pilotId: string, kind: 'entity' | 'variable'): Promise<number> {
  const row = await env.DB.prepare(
    'SELECT SUM(length(data)) AS n FROM pilot_items WHERE pilot_id = ? AND kind = ?',
  )
    .bind(pilotId, kind)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A list entity of `values` values, ~95 characters each. */
function bigEntity(name: string, values: number) {
  return {
    kind: 'list',
    name,
    values: Array.from({ length: values }, (_, n) => ({
      value: `${name} value ${n} ${'w'.repeat(50)}`,
      synonyms: [],
    })),
  };
}

function expectRefused(
  res: { status: number; body: ErrorBody },
  path: string,
  limit: number,
): void {
  expect(res.status).toBe(413);
  expect(res.body.error.code).toBe(ErrorCode.payloadTooLarge);
  expect(res.body.error.message).toContain(String(limit));
  expect(res.body.error.issues?.map((i) => i.path)).toEqual([path]);
}

describe('totals per pilot', () => {
  it(`refuses a flow past ${MAX_FLOWS_PER_PILOT} per pilot with 413 payload_too_large naming pilotId, and stores nothing`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    await fillFlows(ws, pilotId, MAX_FLOWS_PER_PILOT - 1, sampleFlow(pilotId));
    const last = await ws.json('/flows', { method: 'POST', body: sampleFlow(pilotId) });
    expect(last.status).toBe(201);
    const over = await ws.json<ErrorBody>('/flows', { method: 'POST', body: sampleFlow(pilotId) });
    expectRefused(over, 'pilotId', MAX_FLOWS_PER_PILOT);
    expect(await count('flows', pilotId)).toBe(MAX_FLOWS_PER_PILOT);
    // Another pilot of the same workspace is not affected.
    const other = await pilotOf(ws);
    expect((await ws.json('/flows', { method: 'POST', body: sampleFlow(other) })).status).toBe(201);
  });

  it(`refuses a publish that takes the pilot's published flows past ${MAX_PUBLISHED_FLOW_CHARS} characters (413 naming draft), and the snapshot keeps its flows`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 19 published flows of ~100,000 characters: ~1.9 MB of the snapshot's 2 MB.
    await fillFlows(ws, pilotId, 19, bigFlow(pilotId, 100_000), true);
    const created = await ws.json<{ id: string }>('/flows', {
      method: 'POST',
      body: bigFlow(pilotId, 150_000),
    });
    expect(created.status).toBe(201);
    const flowId = created.body.id;
    const over = await ws.json<ErrorBody>(`/flows/${flowId}/publish`, { method: 'POST' });
    expectRefused(over, 'draft', MAX_PUBLISHED_FLOW_CHARS);
    const flow = await ws.json<{ publishedVersion: number | null }>(`/flows/${flowId}`);
    expect(flow.body.publishedVersion).toBeNull();
    const versions = await ws.json<{ items: unknown[] }>(`/flows/${flowId}/versions`);
    expect(versions.body.items).toEqual([]);
    // A small flow still fits, and the snapshot written then holds the 19 and it, not the big one.
    const small = await ws.json<{ id: string }>(`/flows/${flowId}`, {
      method: 'PUT',
      body: sampleFlow(pilotId),
    });
    expect(small.status).toBe(200);
    expect((await ws.json(`/flows/${flowId}/publish`, { method: 'POST' })).status).toBe(200);
    const pilot = await ws.json<{ publicKey: string }>(`/pilots/${pilotId}`);
    const snapshot = await env.SNAPSHOTS.get(`snapshot:${pilot.body.publicKey}`);
    expect(JSON.parse(snapshot ?? '{}').flows).toHaveLength(20);
    expect(snapshot?.length).toBeLessThan(MAX_PUBLISHED_FLOW_CHARS + MAX_VARIABLE_CHARS + 100_000);
  });

  it(`refuses an entity past ${MAX_ENTITIES_PER_PILOT} per pilot with 413 payload_too_large naming pilotId, and stores nothing`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    const entity = (n: number) => ({
      kind: 'list',
      name: `product_${n}`,
      values: [{ value: `p${n}` }],
    });
    await fillItems(
      ws,
      pilotId,
      'entity',
      Array.from({ length: MAX_ENTITIES_PER_PILOT }, (_, n) => entity(n)),
    );
    const over = await ws.json<ErrorBody>(`/pilots/${pilotId}/entities`, {
      method: 'POST',
      body: entity(MAX_ENTITIES_PER_PILOT),
    });
    expectRefused(over, 'pilotId', MAX_ENTITIES_PER_PILOT);
    expect(await count('pilot_items', pilotId, 'entity')).toBe(MAX_ENTITIES_PER_PILOT);
  });

  it(`refuses entities past ${MAX_ENTITY_CHARS} characters in all (each save retrains the pilot's AI) with 413 naming body`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 10 entities of 1,000 values (~95,000 characters each): ~950,000 of the 1,000,000.
    await fillItems(
      ws,
      pilotId,
      'entity',
      Array.from({ length: 10 }, (_, n) => bigEntity(`big_${n}`, 1_000)),
    );
    const over = await ws.json<ErrorBody>(`/pilots/${pilotId}/entities`, {
      method: 'POST',
      body: bigEntity('one_more', 1_000),
    });
    expectRefused(over, 'body', MAX_ENTITY_CHARS);
    expect(await count('pilot_items', pilotId, 'entity')).toBe(10);
  });

  it(`refuses a variable past ${MAX_VARIABLES_PER_PILOT} per pilot with 413 payload_too_large naming pilotId, and stores nothing`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    const variable = (n: number) => ({ name: `v${n}`, type: 'text', value: 'x' });
    await fillItems(
      ws,
      pilotId,
      'variable',
      Array.from({ length: MAX_VARIABLES_PER_PILOT - 1 }, (_, n) => variable(n)),
    );
    const last = await ws.json(`/pilots/${pilotId}/variables`, {
      method: 'POST',
      body: variable(MAX_VARIABLES_PER_PILOT - 1),
    });
    expect(last.status).toBe(201);
    const over = await ws.json<ErrorBody>(`/pilots/${pilotId}/variables`, {
      method: 'POST',
      body: variable(MAX_VARIABLES_PER_PILOT),
    });
    expectRefused(over, 'pilotId', MAX_VARIABLES_PER_PILOT);
    expect(await count('pilot_items', pilotId, 'variable')).toBe(MAX_VARIABLES_PER_PILOT);
  });

  it(`refuses variables past ${MAX_VARIABLE_CHARS} characters in all (they are in the snapshot) with 413 naming body`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 120 variables of ~4,000 characters: ~480,000 of the 500,000.
    const long = (n: number) => ({ name: `long_${n}`, type: 'text', value: 'y'.repeat(3_990) });
    await fillItems(
      ws,
      pilotId,
      'variable',
      Array.from({ length: 120 }, (_, n) => long(n)),
    );
    const list = { name: 'big_list', type: 'list', value: Array(10).fill('z'.repeat(3_000)) };
    const over = await ws.json<ErrorBody>(`/pilots/${pilotId}/variables`, {
      method: 'POST',
      body: list,
    });
    expectRefused(over, 'body', MAX_VARIABLE_CHARS);
    expect(await count('pilot_items', pilotId, 'variable')).toBe(120);
  });

  it(`parallel variable creates cannot pass ${MAX_VARIABLE_CHARS} characters together: the ones past it are 413 naming body`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 100 variables of ~4,000 characters (~400,000), then 10 creates of ~30,000 at once:
    // only 3 fit. Checked outside the write, all 10 read the same total and all were stored.
    await fillItems(
      ws,
      pilotId,
      'variable',
      Array.from({ length: 100 }, (_, n) => ({
        name: `long_${n}`,
        type: 'text',
        value: 'y'.repeat(3_990),
      })),
    );
    const list = (n: number) => ({
      name: `list_${n}`,
      type: 'list',
      value: Array(10).fill('z'.repeat(3_000)),
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        ws.json<ErrorBody>(`/pilots/${pilotId}/variables`, { method: 'POST', body: list(n) }),
      ),
    );
    const refused = results.filter((r) => r.status !== 201);
    for (const r of refused) expectRefused(r, 'body', MAX_VARIABLE_CHARS);
    expect(results.length - refused.length).toBe(3);
    expect(await storedChars(pilotId, 'variable')).toBeLessThanOrEqual(MAX_VARIABLE_CHARS);
    expect(await count('pilot_items', pilotId, 'variable')).toBe(103);
  });

  it(`parallel variable updates cannot pass ${MAX_VARIABLE_CHARS} characters together: the ones past it are 413 naming body`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 100 variables of ~4,000 characters (~400,000), then 10 small ones made through the API and
    // updated at once to ~30,000 each: only 3 can grow. An update's total is the others' plus
    // its new data (its old data left out); read outside the write, all 10 would pass together.
    await fillItems(
      ws,
      pilotId,
      'variable',
      Array.from({ length: 100 }, (_, n) => ({
        name: `long_${n}`,
        type: 'text',
        value: 'y'.repeat(3_990),
      })),
    );
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) {
      const created = await ws.json<{ id: string }>(`/pilots/${pilotId}/variables`, {
        method: 'POST',
        body: { name: `grow_${n}`, type: 'text', value: 'small' },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const grown = (n: number) => ({
      name: `grow_${n}`,
      type: 'list',
      value: Array(10).fill('z'.repeat(3_000)),
    });
    const results = await Promise.all(
      ids.map((id, n) =>
        ws.json<ErrorBody>(`/pilots/${pilotId}/variables/${id}`, { method: 'PUT', body: grown(n) }),
      ),
    );
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) expectRefused(r, 'body', MAX_VARIABLE_CHARS);
    expect(results.length - refused.length).toBe(3);
    expect(await storedChars(pilotId, 'variable')).toBeLessThanOrEqual(MAX_VARIABLE_CHARS);
    // The refused ones kept their old value.
    const small = await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM pilot_items WHERE pilot_id = ? AND kind = 'variable' AND data LIKE '%"small"%'`,
    )
      .bind(pilotId)
      .first<{ n: number }>();
    expect(small?.n).toBe(refused.length);
  });

  it(`parallel entity updates cannot pass ${MAX_ENTITY_CHARS} characters together: the ones past it are 413 naming body`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 9 entities of ~95,000 characters (~855,000 of 1,000,000), then 8 small ones updated at
    // once to ~48,000 each: only 2 or 3 can grow (the exact number is what the sizes allow).
    await fillItems(
      ws,
      pilotId,
      'entity',
      Array.from({ length: 9 }, (_, n) => bigEntity(`big_${n}`, 1_000)),
    );
    const ids: string[] = [];
    for (let n = 0; n < 8; n++) {
      const created = await ws.json<{ id: string }>(`/pilots/${pilotId}/entities`, {
        method: 'POST',
        body: bigEntity(`grow_${n}`, 1),
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const results = await Promise.all(
      ids.map((id, n) =>
        ws.json<ErrorBody>(`/pilots/${pilotId}/entities/${id}`, {
          method: 'PUT',
          body: bigEntity(`grow_${n}`, 500),
        }),
      ),
    );
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) expectRefused(r, 'body', MAX_ENTITY_CHARS);
    expect(await storedChars(pilotId, 'entity')).toBeLessThanOrEqual(MAX_ENTITY_CHARS);
    // Room was left for some, not all: the cap decided, not an error.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(results.length);
  });

  it(`parallel publishes cannot pass ${MAX_PUBLISHED_FLOW_CHARS} published characters together (413 naming draft)`, async () => {
    const ws = await workspace();
    const pilotId = await pilotOf(ws);
    // 15 published flows of ~100,000 (~1.5 MB), then 6 drafts of ~150,000 published at once: 3 fit.
    await fillFlows(ws, pilotId, 15, bigFlow(pilotId, 100_000), true);
    const ids: string[] = [];
    for (let n = 0; n < 6; n++) {
      const created = await ws.json<{ id: string }>('/flows', {
        method: 'POST',
        body: bigFlow(pilotId, 150_000),
      });
      ids.push(created.body.id);
    }
    const results = await Promise.all(
      ids.map((id) => ws.json<ErrorBody>(`/flows/${id}/publish`, { method: 'POST' })),
    );
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) expectRefused(r, 'draft', MAX_PUBLISHED_FLOW_CHARS);
    expect(results.length - refused.length).toBe(3);
    const total = await env.DB.prepare(
      `SELECT SUM(length(v.definition)) AS n
         FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
        WHERE f.pilot_id = ?`,
    )
      .bind(pilotId)
      .first<{ n: number }>();
    expect(total?.n).toBeLessThanOrEqual(MAX_PUBLISHED_FLOW_CHARS);
  });
});
