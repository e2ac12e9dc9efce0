/**
 * Cursor pagination for every admin list: `?limit=&cursor=` in, `{ items, nextCursor }` out.
 * Keyset over (sort key, id) so pages stay stable while rows are added; the cursor is opaque
 * (base64url JSON) and a tampered one is a 400 naming `query.cursor`.
 */
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '../../shared/errors.ts';
import { ApiError } from './api-error.ts';

export const MAX_PAGE_SIZE = 100;

/**
 * The query of every list route. Strict: an unknown parameter (a typo such as `?pilot=` for
 * `?pilotId=`) is a 400 naming it, not a filter silently ignored. `.extend()` keeps it strict.
 */
export const paginationQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(50)
    .openapi({ description: `Page size, 1-${MAX_PAGE_SIZE}` }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page' }),
});

/**
 * An optional integer query parameter of at least `min` (epoch ms, version numbers). The
 * documented type is pinned: zod-openapi would otherwise advertise `null` (it probes the
 * schema with null, and `Number(null)` is 0), yet `?from=null` is not a number.
 */
export function queryInteger(min: number) {
  return z.coerce.number().int().min(min).optional().openapi({ type: 'integer', minimum: min });
}

/** Position after the last row of a page: its sort key and id. */
export interface Cursor {
  k: number;
  id: string;
}

const cursorSchema = z.object({ k: z.number(), id: z.string().max(200) });

export function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify(cursor)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const json = atob(raw.replace(/-/g, '+').replace(/_/g, '/'));
    return cursorSchema.parse(JSON.parse(json));
  } catch {
    throw new ApiError(400, ErrorCode.invalidInput, 'Invalid cursor', [
      { path: 'query.cursor', message: 'Not a cursor this API returned' },
    ]);
  }
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
