/**
 * Building blocks of admin route files: the router factory (validation hook included), the
 * error schema, and helpers that keep `createRoute` definitions short.
 */

import type { Hook } from '@hono/zod-openapi';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../shared/errors.ts';
import type { AdminVariables } from '../auth/admin-auth.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, zodIssues } from './api-error.ts';

export type AdminEnv = { Bindings: AppEnv; Variables: AdminVariables };

/**
 * Zod failures of any request part become one 400 naming every invalid field: body paths as
 * is (`nodes.0.text`), other parts prefixed (`query.limit`, `path.pilotId`, `header.if-match`).
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every shape
export const validationHook: Hook<any, AdminEnv, any, any> = (result) => {
  if (result.success) return;
  const prefix = result.target === 'json' ? '' : result.target === 'param' ? 'path' : result.target;
  throw new ApiError(
    400,
    ErrorCode.invalidInput,
    `Invalid request ${result.target === 'json' ? 'body' : prefix}`,
    zodIssues(result.error as z.ZodError, prefix),
  );
};

/** A router for one admin resource; mount it from `worker/routes/admin/index.ts`. */
export function adminRouter() {
  return new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });
}

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'Every invalid field, by dotted path' }),
    }),
  })
  .openapi('Error');

const errorText: Record<number, string> = {
  400: 'Invalid input: `issues` names every invalid field',
  401: 'Missing or invalid API key',
  403: 'The key lacks the scope this route needs',
  404: 'Not found (or owned by another workspace)',
  409: 'Conflicts with existing data',
  412: 'If-Match does not match the current ETag',
  413: "Body over 1 MB, or past one of the pilot's totals (the message names the limit, `issues` the field)",
  429: 'Rate limited',
};

/** Documented error responses: 401/403/429 always, plus the ones listed. */
export function errors(...statuses: number[]) {
  const all = [...new Set([400, 401, 403, 429, ...statuses])];
  return Object.fromEntries(
    all.map((status) => [
      status,
      {
        description: errorText[status] ?? 'Error',
        content: { 'application/json': { schema: errorSchema } },
      },
    ]),
  );
}

/** A JSON response or request body of `schema`. */
export function json<S>(schema: S, description = 'OK') {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<S>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** `{ items, nextCursor }` of `item`. */
export function listOf<S extends z.ZodType>(item: S, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** Path parameter of a resource id (`pilot_…`, `flow_…`). */
export function idParam(name: string) {
  return z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/, 'Not an id')
    .openapi({ param: { name, in: 'path' } });
}

export const deletedSchema = z
  .object({ id: z.string(), deleted: z.literal(true) })
  .openapi('Deleted');

/**
 * A standalone JSON Schema as OpenAPI components: its `$defs` become sibling components and
 * every `#/$defs/X` points at `#/components/schemas/X`. Inside an OpenAPI document a `$ref`
 * resolves against the whole document, so a component's own `#/$defs/…` would dangle.
 */
export function schemaComponents(
  name: string,
  schema: Record<string, unknown>,
): Record<string, unknown> {
  const { $defs = {}, $schema: _dialect, $id: _id, ...root } = schema;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) =>
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')
          ? [key, `#/components/schemas/${inner.slice('#/$defs/'.length)}`]
          : [key, rewrite(inner)],
      ),
    );
  };
  const defs = Object.entries($defs as Record<string, unknown>);
  return Object.fromEntries([
    [name, rewrite(root)],
    ...defs.map(([defName, def]) => [defName, rewrite(def)]),
  ]);
}
