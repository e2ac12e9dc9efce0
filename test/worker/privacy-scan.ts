/**
 * Scans storage directly (not through the API that erased): every D1 table and every table of
 * a Durable Object, for any of `needles` (ids, message text, email addresses).
 */
import { env, runInDurableObject } from 'cloudflare:test';

export interface Hit {
  where: string;
  needle: string;
}

function hits(where: string, rows: unknown[], needles: string[]): Hit[] {
  const text = JSON.stringify(rows);
  return needles.filter((needle) => text.includes(needle)).map((needle) => ({ where, needle }));
}

/** Every user table of D1 (migrations bookkeeping excluded). */
export async function scanD1(needles: string[]): Promise<Hit[]> {
  const { results: tables } = await env.DB.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'`,
  ).all<{ name: string }>();
  const found: Hit[] = [];
  for (const { name } of tables) {
    const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
    found.push(...hits(`d1.${name}`, results, needles));
  }
  return found;
}

/** Every table of one Durable Object, with row counts. */
export async function dumpObject(
  stub: DurableObjectStub,
): Promise<{ counts: Record<string, number>; rows: Record<string, unknown[]> }> {
  return runInDurableObject(stub, (_instance, state: DurableObjectState) => {
    const tables = state.storage.sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'`,
      )
      .toArray();
    const rows: Record<string, unknown[]> = {};
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      rows[name] = state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray();
      counts[name] = rows[name].length;
    }
    return { counts, rows };
  });
}

export async function scanObject(
  label: string,
  stub: DurableObjectStub,
  needles: string[],
): Promise<Hit[]> {
  const { rows } = await dumpObject(stub);
  return Object.entries(rows).flatMap(([table, list]) => hits(`${label}.${table}`, list, needles));
}

/** Every key of the SNAPSHOTS KV namespace, and its value as text (keys paged, bounded). */
export async function scanKV(needles: string[]): Promise<Hit[]> {
  const found: Hit[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const listed = await env.SNAPSHOTS.list({ cursor });
    for (const { name } of listed.keys) {
      const value = await env.SNAPSHOTS.get(name, 'text');
      found.push(...hits(`kv.${name}`, [name, value], needles));
    }
    if (listed.list_complete) return found;
    cursor = listed.cursor;
  }
  throw new Error('KV scan: more than 100 pages of keys');
}
