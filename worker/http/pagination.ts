/**
 * Cursor pagination for every admin list: `?limit=&cursor=` in, `{ items, nextCursor }` out.
 * This is the HTTP side (the query schema, and a tampered cursor as a 400 naming
 * `query.cursor`); the keyset SQL and the page shape live in store/keyset.ts, which the store
 * files use without reaching up into http/.
 */
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '../../shared/errors.ts';
import type { Cursor } from '../store/keyset.ts';
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

const cursorSchema = z.object({ k: z.number(), id: z.string().max(200) });

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
