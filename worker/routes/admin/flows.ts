/** `/flows`: the draft of each flow. Writes honour `If-Match` (412 on a stale ETag). */
import { createRoute } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import type { Flow } from '../../../shared/flow/schema.ts';
import { newId } from '../../auth/hash.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { adminRouter, deletedSchema, errors, idParam, json, listOf } from '../../http/openapi.ts';
import { decodeCursor, paginationQuery } from '../../http/pagination.ts';
import { deleteFlow, listFlows, replaceDraft } from '../../store/flow-admin.ts';
import { type FlowRecord, insertFlow } from '../../store/flows.ts';
import { MAX_FLOWS_PER_PILOT } from '../../store/pilot-limits.ts';
import { getWorkspacePilot } from '../../store/pilots.ts';
import { writeSnapshot } from '../../store/snapshots.ts';
import {
  checkIfMatch,
  etagOf,
  flowParams,
  flowRef,
  flowView,
  flowViewSchema,
  ifMatchHeader,
  readFlowBody,
  requireFlow,
  staleDraft,
} from './flow-common.ts';

const flowBody = { required: true, content: { 'application/json': { schema: flowRef } } };
const withEtag = (description: string) => ({
  ...json(flowViewSchema, description),
  headers: { ETag: { description: 'The draft revision', schema: { type: 'string' as const } } },
});

export const flowRoutes = adminRouter();

flowRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows',
    operationId: 'listFlows',
    tags: ['Flows'],
    summary: 'List flows (optionally of one pilot)',
    request: {
      query: paginationQuery.extend({
        pilotId: idParam('pilotId')
          .optional()
          .openapi({ param: { name: 'pilotId', in: 'query' } }),
      }),
    },
    responses: { 200: json(listOf(flowViewSchema, 'FlowList')), ...errors(404) },
  }),
  async (c) => {
    const { limit, cursor, pilotId } = c.req.valid('query');
    const { workspaceId } = c.get('principal');
    if (pilotId && !(await getWorkspacePilot(c.env, workspaceId, pilotId))) throw notFound('Pilot');
    const page = await listFlows(c.env, workspaceId, pilotId, limit, decodeCursor(cursor));
    return c.json({ items: page.items.map(flowView), nextCursor: page.nextCursor }, 200);
  },
);

flowRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows',
    operationId: 'createFlow',
    tags: ['Flows'],
    summary: 'Create a flow (its draft); publish it to make it live',
    request: { body: flowBody },
    responses: { 201: withEtag('Created'), ...errors(404, 413) },
  }),
  async (c) => {
    const draft = await readFlowBody(c);
    const { workspaceId } = c.get('principal');
    const pilot = await getWorkspacePilot(c.env, workspaceId, draft.pilotId);
    if (!pilot) throw notFound('Pilot');
    const now = Date.now();
    const record: FlowRecord = {
      id: newId('flow'),
      workspaceId,
      pilotId: pilot.id,
      draft,
      revision: 1,
      publishedVersion: null,
      createdAt: now,
      updatedAt: now,
    };
    if (!(await insertFlow(c.env, record, MAX_FLOWS_PER_PILOT))) {
      const message = `The pilot has ${MAX_FLOWS_PER_PILOT} flows; at most ${MAX_FLOWS_PER_PILOT} per pilot`;
      throw new ApiError(413, ErrorCode.payloadTooLarge, message, [{ path: 'pilotId', message }]);
    }
    c.header('ETag', etagOf(record.revision));
    return c.json(flowView(record), 201);
  },
);

flowRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}',
    operationId: 'getFlow',
    tags: ['Flows'],
    summary: 'Get a flow with its draft; the ETag header is the draft revision',
    request: { params: flowParams },
    responses: { 200: withEtag('OK'), ...errors(404) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    c.header('ETag', etagOf(flow.revision));
    return c.json(flowView(flow), 200);
  },
);

/** A draft may not move to another pilot: versions and logs belong to the pilot it has. */
function checkSamePilot(flow: FlowRecord, draft: Flow): void {
  if (draft.pilotId !== flow.pilotId) {
    throw new ApiError(400, ErrorCode.invalidInput, 'A flow cannot move to another pilot', [
      { path: 'pilotId', message: `Must stay ${flow.pilotId}` },
    ]);
  }
}

flowRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/flows/{flowId}',
    operationId: 'replaceFlowDraft',
    tags: ['Flows'],
    summary: 'Replace the draft (send If-Match with the ETag you read)',
    request: { params: flowParams, headers: ifMatchHeader, body: flowBody },
    responses: { 200: withEtag('Saved'), ...errors(404, 412, 413) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    checkIfMatch(c.req.valid('header')['if-match'], flow);
    const draft = await readFlowBody(c);
    checkSamePilot(flow, draft);
    const now = Date.now();
    const revision = await replaceDraft(c.env, flow.id, draft, flow.revision, now);
    // Someone else wrote between our read and our write.
    if (revision === null) throw staleDraft();
    const saved = { ...flow, draft, revision, updatedAt: now };
    c.header('ETag', etagOf(saved.revision));
    return c.json(flowView(saved), 200);
  },
);

flowRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/flows/{flowId}',
    operationId: 'deleteFlow',
    tags: ['Flows'],
    summary: 'Delete a flow and its versions (it stops running at once)',
    request: { params: flowParams, headers: ifMatchHeader },
    responses: { 200: json(deletedSchema), ...errors(404, 412) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    checkIfMatch(c.req.valid('header')['if-match'], flow);
    await deleteFlow(c.env, flow.id);
    if (flow.publishedVersion !== null) await writeSnapshot(c.env, flow.pilotId, Date.now());
    return c.json({ id: flow.id, deleted: true as const }, 200);
  },
);
