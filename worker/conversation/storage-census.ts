/**
 * How many rows each table of a conversation object holds: what an erasure receipt reports
 * before `deleteAll()` and what tests scan afterwards. Reads every user table (the runtime's
 * internal `_cf_*` and SQLite's own tables excluded), so a table added later is counted too.
 */

/** At most this many tables are counted (the schema has a handful). */
const MAX_TABLES = 100;

export function storageCensus(sql: SqlStorage): Record<string, number> {
  const tables = sql
    .exec<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name LIMIT ?`,
      MAX_TABLES,
    )
    .toArray();
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    // Names come from sqlite_master, never from a request; quoted as identifiers anyway.
    const row = sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`)
      .one();
    counts[name] = row.n;
  }
  return counts;
}
