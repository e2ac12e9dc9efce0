/**
 * CRUD routes for a workspace document resource (contacts, users, teams): list with `?q=`,
 * create, get, PATCH (merge, then validate the whole), delete. Unique columns give 409s.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ErrorCode } from '../../../shared/errors.ts';
import { newId } from '../../auth/hash.ts';
import { ApiError, notFound, zodIssues } from '../../http/api-error.ts';
import { withConflicts } from '../../http/d1-errors.ts';
import {
  type AdminEnv,
  adminRouter,
  deletedSchema,
  errors,
  idParam,
  json,
  jsonBody,
  listOf,
} from '../../http/openapi.ts';
import { decodeCursor, paginationQuery } from '../../http/pagination.ts';
import {
  type DocTable,
  deleteDoc,
  getDoc,
  insertDoc,
  listDocs,
  updateDoc,
  type WorkspaceDoc,
} from '../../store/workspace-docs.ts';

export interface DocResource<S extends z.ZodObject> {
  table: DocTable;
  segment: string;
  /** OpenAPI component name, e.g. `Contact`. */
  name: string;
  idPrefix: string;
  /** Without defaults: PATCH uses its partial. */
  schema: S;
  /** Cross-row checks before a write (e.g. team members exist). */
  check?: (c: Context<AdminEnv>, data: z.output<S>) => Promise<void>;
  /** Refuses a delete that would break other rows (409). */
  beforeDelete?: (c: Context<AdminEnv>, id: string) => Promise<void>;
}

export function docRoutes<S extends z.ZodObject>(r: DocResource<S>) {
  const routes = adminRouter();
  const base = `/${r.segment}`;
  const params = z.object({ id: idParam('id') });
  const output = r.schema
    .extend({ id: z.string(), createdAt: z.number().int(), updatedAt: z.number().int() })
    .openapi(r.name);
  const view = (doc: WorkspaceDoc) => ({
    ...doc.data,
    id: doc.id,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  });
  const tags = [r.name.replace(/([a-z])([A-Z])/g, '$1 $2') + 's'];

  routes.openapi(
    createRoute({
      method: 'get',
      path: base,
      operationId: `list${r.name}s`,
      tags,
      summary: `List ${r.segment}`,
      request: {
        query: paginationQuery.extend({
          q: z.string().max(200).optional().openapi({ description: 'Search text' }),
        }),
      },
      responses: { 200: json(listOf(output, `${r.name}List`)), ...errors() },
    }),
    async (c) => {
      const { limit, cursor, q } = c.req.valid('query');
      const page = await listDocs(c.env, r.table, c.get('principal').workspaceId, {
        limit,
        cursor: decodeCursor(cursor),
        q,
      });
      return c.json({ items: page.items.map(view), nextCursor: page.nextCursor }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'post',
      path: base,
      operationId: `create${r.name}`,
      tags,
      summary: `Create a ${r.name.toLowerCase()}`,
      request: { body: jsonBody(r.schema.strict().openapi(`${r.name}Input`)) },
      responses: { 201: json(output, 'Created'), ...errors(409) },
    }),
    async (c) => {
      const data = c.req.valid('json') as z.output<S>;
      await r.check?.(c, data);
      const now = Date.now();
      const doc = { id: newId(r.idPrefix), data, createdAt: now, updatedAt: now };
      await withConflicts(r.name, () =>
        insertDoc(c.env, r.table, c.get('principal').workspaceId, doc),
      );
      return c.json(view(doc), 201);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{id}`,
      operationId: `get${r.name}`,
      tags,
      summary: `Get a ${r.name.toLowerCase()}`,
      request: { params },
      responses: { 200: json(output), ...errors(404) },
    }),
    async (c) => {
      const doc = await getDoc(
        c.env,
        r.table,
        c.get('principal').workspaceId,
        c.req.valid('param').id,
      );
      if (!doc) throw notFound(r.name);
      return c.json(view(doc), 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'patch',
      path: `${base}/{id}`,
      operationId: `update${r.name}`,
      tags,
      summary: `Change fields of a ${r.name.toLowerCase()}`,
      request: { params, body: jsonBody(r.schema.partial().strict().openapi(`${r.name}Patch`)) },
      responses: { 200: json(output), ...errors(404, 409) },
    }),
    async (c) => {
      const { workspaceId } = c.get('principal');
      const current = await getDoc(c.env, r.table, workspaceId, c.req.valid('param').id);
      if (!current) throw notFound(r.name);
      const merged = r.schema.safeParse({ ...current.data, ...(c.req.valid('json') as object) });
      if (!merged.success) {
        throw new ApiError(
          400,
          ErrorCode.invalidInput,
          'Invalid request body',
          zodIssues(merged.error),
        );
      }
      await r.check?.(c, merged.data);
      const doc = {
        ...current,
        data: merged.data as Record<string, unknown>,
        updatedAt: Date.now(),
      };
      await withConflicts(r.name, () => updateDoc(c.env, r.table, workspaceId, doc));
      return c.json(view(doc), 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{id}`,
      operationId: `delete${r.name}`,
      tags,
      summary: `Delete a ${r.name.toLowerCase()}`,
      request: { params },
      responses: { 200: json(deletedSchema), ...errors(404, 409) },
    }),
    async (c) => {
      const { workspaceId } = c.get('principal');
      const { id } = c.req.valid('param');
      if (!(await getDoc(c.env, r.table, workspaceId, id))) throw notFound(r.name);
      await r.beforeDelete?.(c, id);
      await deleteDoc(c.env, r.table, workspaceId, id);
      return c.json({ id, deleted: true as const }, 200);
    },
  );
  return routes;
}
