/** `GET /records?kind=` (deals, tasks, notes flows created) and `GET /outbox` (emails flows sent). */
import { createRoute, z } from '@hono/zod-openapi';
import { adminRouter, errors, json, listOf } from '../../http/openapi.ts';
import { decodeCursor, paginationQuery } from '../../http/pagination.ts';
import { listOutbox, listRecords, RECORD_KINDS } from '../../store/records.ts';

const recordSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    pilotId: z.string().nullable(),
    conversationId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.number().int(),
  })
  .openapi('Record');

const outboxSchema = z
  .object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    pilotId: z.string().nullable(),
    conversationId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).openapi({ description: 'Body and other fields' }),
    createdAt: z.number().int(),
  })
  .openapi('OutboxEmail');

export const recordRoutes = adminRouter();

recordRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/records',
    operationId: 'listRecords',
    tags: ['Records'],
    summary: 'Records flows created, newest first',
    request: { query: paginationQuery.extend({ kind: z.enum(RECORD_KINDS).optional() }) },
    responses: { 200: json(listOf(recordSchema, 'RecordList')), ...errors() },
  }),
  async (c) => {
    const { limit, cursor, kind } = c.req.valid('query');
    const { workspaceId } = c.get('principal');
    const page = await listRecords(c.env, workspaceId, kind, limit, decodeCursor(cursor));
    const items = page.items.map(({ workspaceId: _, ...r }) => r);
    return c.json({ items, nextCursor: page.nextCursor }, 200);
  },
);

recordRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/outbox',
    operationId: 'listOutboxEmails',
    tags: ['Records'],
    summary: 'Emails flows sent, newest first',
    request: { query: paginationQuery },
    responses: { 200: json(listOf(outboxSchema, 'OutboxList')), ...errors() },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listOutbox(
      c.env,
      c.get('principal').workspaceId,
      limit,
      decodeCursor(cursor),
    );
    const items = page.items.map(({ workspaceId: _, ...e }) => e);
    return c.json({ items, nextCursor: page.nextCursor }, 200);
  },
);
