/**
 * Cursor pagination of every list the route catalog has: paging with `limit=1` visits every
 * item exactly once, in the same order as one big page, and `limit` is bounded.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type Fixture, fixture, routeCases } from './admin-catalog.ts';

interface Page {
  items: { id?: string; version?: number }[];
  nextCursor: string | null;
}

const keyOf = (item: Page['items'][number]) => item.id ?? String(item.version);

/** Two more of everything, so every list spans at least three pages of one. */
async function addMore(fx: Fixture): Promise<void> {
  for (let round = 0; round < 2; round++) {
    for (const c of routeCases(fx)) {
      const creates =
        /^post \/[a-z-]+$/.test(c.route) ||
        /^post \/pilots\/\{pilotId\}\/\w+$/.test(c.route) ||
        c.route === 'post /flows/{flowId}/publish';
      if (!creates) continue;
      const res = await fx.ws.call(c.path, { method: c.method, body: c.body });
      expect(`${c.route} -> ${res.status}`).toMatch(/ -> 20[01]$/);
    }
    for (const table of ['records', 'outbox'] as const) {
      const sql =
        table === 'records'
          ? `INSERT INTO records (id, workspace_id, pilot_id, conversation_id, kind, data, created_at) VALUES (?, ?, ?, NULL, 'deal', '{}', ?)`
          : `INSERT INTO outbox (id, workspace_id, pilot_id, conversation_id, to_address, subject, data, created_at) VALUES (?, ?, ?, NULL, 'a@example.com', 'Hi', '{}', ?)`;
      // The same timestamp for all: order must still be stable (ties broken by id).
      await env.DB.prepare(sql)
        .bind(`${table}_${crypto.randomUUID()}`, fx.ws.id, fx.pilotId, 1_700_000_000_000)
        .run();
    }
  }
  // Questions the pilot could not answer (visitors add them; the admin API only lists them).
  const pilot = env.PILOT.get(env.PILOT.idFromName(fx.pilotId));
  for (const question of ['Do you ship to Mars?', 'Do you repair bicycles?', 'Is it vegan?'])
    await pilot.noteUnanswered(question, 1_700_000_000_000);
  await pilot.noteUnanswered('Is it vegan?', 1_700_000_000_001);
}

async function get(fx: Fixture, path: string): Promise<Page> {
  const res = await fx.ws.json<Page>(path);
  expect(`${path} -> ${res.status}`).toBe(`${path} -> 200`);
  return res.body;
}

describe('every admin list', () => {
  it('pages with limit=1 through every item exactly once, in the order of one big page (ties on time broken by id)', async () => {
    const fx = await fixture();
    await addMore(fx);
    const lists = routeCases(fx).filter(
      (c) =>
        c.method === 'GET' &&
        !c.route.endsWith('}') &&
        ![
          'get /schema/flow.json',
          'get /flows/{flowId}/diff',
          'get /contacts/{id}/company',
        ].includes(c.route),
    );
    expect(lists.length).toBeGreaterThanOrEqual(13);
    for (const c of lists) {
      const join = c.path.includes('?') ? '&' : '?';
      const all = await get(fx, `${c.path}${join}limit=100`);
      expect(`${c.route}: ${all.items.length}`).toMatch(/: ([2-9]|\d\d+)$/);
      expect(all.nextCursor).toBeNull();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(
          fx,
          `${c.path}${join}limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(1);
        seen.push(...page.items.map(keyOf));
        cursor = page.nextCursor;
      } while (cursor && seen.length <= all.items.length);
      expect(seen, c.route).toEqual(all.items.map(keyOf));
    }
  });

  it('refuses a limit above 100 or below 1 with 400 naming query.limit', async () => {
    const fx = await fixture();
    for (const limit of ['0', '101', '-5', '2.5']) {
      const res = await fx.ws.json<{ error: { issues: { path: string }[] } }>(
        `/contacts?limit=${limit}`,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.issues.map((i) => i.path)).toContain('query.limit');
    }
  });
});
