/**
 * Keyset pagination over (sort key, id), so pages stay stable while rows are added: the SQL for
 * one page and the `{ items, nextCursor }` it becomes. The cursor is opaque to clients (base64url
 * JSON); http/pagination.ts parses it back and answers a tampered one with a 400.
 */

/** Position after the last row of a page: its sort key and id. */
export interface Cursor {
  k: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify(cursor)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * SQL for one page ordered by `sortColumn, id` (ascending unless `desc`): a WHERE fragment to
 * AND into the query, its bindings, and the ORDER BY/LIMIT tail (one extra row tells us
 * whether there is a next page).
 */
export function keyset(
  cursor: Cursor | null,
  limit: number,
  sortColumn = 'created_at',
  desc = false,
): { where: string; binds: (string | number)[]; tail: string } {
  const dir = desc ? 'DESC' : 'ASC';
  const op = desc ? '<' : '>';
  const tail = ` ORDER BY ${sortColumn} ${dir}, id ${dir} LIMIT ${limit + 1}`;
  if (!cursor) return { where: '1 = 1', binds: [], tail };
  return {
    where: `(${sortColumn} ${op} ? OR (${sortColumn} = ? AND id ${op} ?))`,
    binds: [cursor.k, cursor.k, cursor.id],
    tail,
  };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cuts the extra row off and derives the next cursor from the last row kept. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (row: R) => Cursor,
  view: (row: R) => T,
): Page<T> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(view),
    nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null,
  };
}
