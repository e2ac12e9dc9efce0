/**
 * Publishing: `publish` snapshots the draft as the next immutable version (number, note,
 * publishedAt, publishedBy = the key's name); `unpublish`; versions list/get; `restore` copies
 * a version into the draft; `diff` compares two versions (or a version and the draft).
 * Publishing and unpublishing rewrite the pilot's KV snapshot, which conversations read.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { withConflicts } from '../../http/d1-errors.ts';
import { adminRouter, errors, json, jsonBody, listOf } from '../../http/openapi.ts';
import { decodeCursor, paginationQuery } from '../../http/pagination.ts';
import {
  type FlowVersion,
  getVersion,
  listVersions,
  replaceDraft,
  setPublishedVersion,
} from '../../store/flow-admin.ts';
import { publishDraft, publishedFlowChars } from '../../store/flows.ts';
import { MAX_PUBLISHED_FLOW_CHARS } from '../../store/pilot-limits.ts';
import { writeSnapshot } from '../../store/snapshots.ts';
import {
  checkIfMatch,
  etagOf,
  flowParams,
  flowRef,
  flowView,
  flowViewSchema,
  ifMatchHeader,
  requireFlow,
  staleDraft,
} from './flow-common.ts';
import { diffFlows, flowDiffSchema } from './flow-diff.ts';
import { checkPublishable } from './flow-validation.ts';

const versionMetaSchema = z
  .object({
    flowId: z.string(),
    version: z.number().int(),
    note: z.string(),
    publishedAt: z.number().int(),
    publishedBy: z.string().openapi({ description: 'Name of the API key that published' }),
  })
  .openapi('FlowVersionInfo');

const versionSchema = versionMetaSchema
  .extend({ definition: z.record(z.string(), z.unknown()).openapi(flowRef as never) })
  .openapi('FlowVersion');

const versionParams = flowParams.extend({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .openapi({ param: { name: 'version', in: 'path' } }),
});

const unpublishedSchema = flowViewSchema
  .extend({
    runsCancelled: z.number().int().openapi({
      description: 'Running runs of the flow this request cancelled (at most one batch, 50)',
    }),
    runsPending: z.boolean().openapi({
      description:
        'More conversations may run the flow: they are cancelled in the background, a batch a second',
    }),
  })
  .openapi('UnpublishedFlow');

const meta = ({ definition: _, ...rest }: FlowVersion) => rest;

export const flowVersionRoutes = adminRouter();

/**
 * The 413 (naming `draft`) for a publish that would take the pilot's published flows past
 * MAX_PUBLISHED_FLOW_CHARS: they make up the snapshot every conversation of the pilot parses.
 * The store checks it inside the write (store/flows.ts publishDraft), so parallel publishes
 * cannot pass it together; the total here is read after the refusal, for the message.
 */
async function snapshotFull(
  env: Parameters<typeof publishedFlowChars>[0],
  flow: { id: string; pilotId: string; draft: unknown },
): Promise<ApiError> {
  const total =
    (await publishedFlowChars(env, flow.pilotId, flow.id)) + JSON.stringify(flow.draft).length;
  const message = `The pilot's published flows would take ${total} characters; at most ${MAX_PUBLISHED_FLOW_CHARS} in all`;
  return new ApiError(413, ErrorCode.payloadTooLarge, message, [{ path: 'draft', message }]);
}

flowVersionRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows/{flowId}/publish',
    operationId: 'publishFlow',
    tags: ['Flow versions'],
    summary: 'Publish the draft as a new immutable version',
    request: {
      params: flowParams,
      headers: ifMatchHeader,
      body: {
        ...jsonBody(
          z
            .object({ note: z.string().max(1000).default('') })
            .strict()
            .openapi('PublishFlow'),
        ),
        required: false,
      },
    },
    responses: { 200: json(versionMetaSchema, 'Published'), ...errors(404, 409, 412, 413) },
  }),
  async (c) => {
    const principal = c.get('principal');
    const flow = await requireFlow(c.env, principal.workspaceId, c.req.valid('param').flowId);
    checkIfMatch(c.req.valid('header')['if-match'], flow);
    await checkPublishable(c.env, flow.draft);
    const note = c.req.valid('json').note ?? '';
    const now = Date.now();
    const version = await withConflicts('Version', () =>
      publishDraft(c.env, flow, note, principal.keyName, now, MAX_PUBLISHED_FLOW_CHARS),
    );
    if (version === null) throw await snapshotFull(c.env, flow);
    await writeSnapshot(c.env, flow.pilotId, now);
    return c.json(
      { flowId: flow.id, version, note, publishedAt: now, publishedBy: principal.keyName },
      200,
    );
  },
);

flowVersionRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows/{flowId}/unpublish',
    operationId: 'unpublishFlow',
    tags: ['Flow versions'],
    summary: 'Stop running the flow; its versions stay',
    description:
      'Running runs end as `cancelled` (the chats stay): one batch within the request, the rest in the background (`runsPending`).',
    request: { params: flowParams },
    responses: { 200: json(unpublishedSchema), ...errors(404, 409) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    if (flow.publishedVersion === null) {
      throw new ApiError(409, ErrorCode.conflict, 'The flow is not published');
    }
    const now = Date.now();
    await setPublishedVersion(c.env, flow.id, null, now);
    await writeSnapshot(c.env, flow.pilotId, now);
    // SPEC 3.6 rule 6: running runs end as `cancelled`; the chats stay (runtime, issue 4).
    // One bounded batch here; the pilot's object continues in the background.
    const pilot = c.env.PILOT.get(c.env.PILOT.idFromName(flow.pilotId));
    const progress = await pilot.cancelFlowRuns(flow.id, 'unpublished');
    const view = flowView({ ...flow, publishedVersion: null, updatedAt: now });
    return c.json(
      { ...view, runsCancelled: progress.cancelled, runsPending: progress.pending },
      200,
    );
  },
);

flowVersionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}/versions',
    operationId: 'listFlowVersions',
    tags: ['Flow versions'],
    summary: 'List versions, newest first',
    request: { params: flowParams, query: paginationQuery },
    responses: { 200: json(listOf(versionMetaSchema, 'FlowVersionList')), ...errors(404) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    const { limit, cursor } = c.req.valid('query');
    const page = await listVersions(c.env, flow.id, limit, decodeCursor(cursor));
    return c.json({ items: page.items.map(meta), nextCursor: page.nextCursor }, 200);
  },
);

async function requireVersion(
  c: { env: Parameters<typeof getVersion>[0] },
  flowId: string,
  version: number,
) {
  const found = await getVersion(c.env, flowId, version);
  if (!found) throw notFound('Version');
  return found;
}

flowVersionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}/versions/{version}',
    operationId: 'getFlowVersion',
    tags: ['Flow versions'],
    summary: 'Get one version with its definition',
    request: { params: versionParams },
    responses: { 200: json(versionSchema), ...errors(404) },
  }),
  async (c) => {
    const { flowId, version } = c.req.valid('param');
    const flow = await requireFlow(c.env, c.get('principal').workspaceId, flowId);
    return c.json(await requireVersion(c, flow.id, version), 200);
  },
);

flowVersionRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows/{flowId}/versions/{version}/restore',
    operationId: 'restoreFlowVersion',
    tags: ['Flow versions'],
    summary: 'Copy a version into the draft (publish to make it live again)',
    request: { params: versionParams, headers: ifMatchHeader },
    responses: { 200: json(flowViewSchema), ...errors(404, 412) },
  }),
  async (c) => {
    const { flowId, version } = c.req.valid('param');
    const flow = await requireFlow(c.env, c.get('principal').workspaceId, flowId);
    checkIfMatch(c.req.valid('header')['if-match'], flow);
    const found = await requireVersion(c, flow.id, version);
    const now = Date.now();
    const revision = await replaceDraft(c.env, flow.id, found.definition, flow.revision, now);
    if (revision === null) throw staleDraft();
    c.header('ETag', etagOf(revision));
    return c.json(flowView({ ...flow, draft: found.definition, revision, updatedAt: now }), 200);
  },
);

const diffSide = z
  .union([z.literal('draft'), z.coerce.number().int().min(1).max(1_000_000)])
  .openapi({ description: 'A version number or `draft`' });

flowVersionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}/diff',
    operationId: 'diffFlowVersions',
    tags: ['Flow versions'],
    summary: 'What changed between two versions (or a version and the draft)',
    request: {
      params: flowParams,
      query: z.object({ from: diffSide, to: diffSide.default('draft') }),
    },
    responses: { 200: json(flowDiffSchema), ...errors(404) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    const { from, to } = c.req.valid('query');
    const load = async (side: number | 'draft') =>
      side === 'draft' ? flow.draft : (await requireVersion(c, flow.id, side)).definition;
    const diff = diffFlows(await load(from), await load(to));
    return c.json({ from, to, ...diff }, 200);
  },
);
