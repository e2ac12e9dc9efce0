/**
 * Minimal admin API for the walking skeleton: create a flow draft, read it, publish it.
 * The admin-API issue grows this into every resource of SPEC 3.4 with OpenAPI.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { ErrorCode } from '../../shared/errors.ts';
import { flowSchema } from '../../shared/flow/schema.ts';
import { type AdminVariables, adminAuth, requireScope } from '../auth/admin-auth.ts';
import { newId } from '../auth/hash.ts';
import { type AppEnv, isDevelopment } from '../env.ts';
import { ApiError } from '../http/api-error.ts';
import { parseJsonBody } from '../http/parse.ts';
import { seedDemo } from '../seed/seed.ts';
import { type FlowRecord, getWorkspaceFlow, insertFlow, publishDraft } from '../store/flows.ts';
import { getWorkspacePilot } from '../store/pilots.ts';
import { writeSnapshot } from '../store/snapshots.ts';

export const adminRoutes = new Hono<{ Bindings: AppEnv; Variables: AdminVariables }>();

adminRoutes.use('*', adminAuth);

const publishBodySchema = z.object({ note: z.string().max(1000).default('') });

function flowView(flow: FlowRecord) {
  return {
    id: flow.id,
    pilotId: flow.pilotId,
    revision: flow.revision,
    publishedVersion: flow.publishedVersion,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
    draft: flow.draft,
  };
}

adminRoutes.post('/dev/seed', async (c) => {
  if (!isDevelopment(c.env)) throw new ApiError(404, ErrorCode.notFound, 'Not found');
  requireScope(c.get('principal'), 'write');
  return c.json(await seedDemo(c.env, Date.now()));
});

adminRoutes.post('/flows', async (c) => {
  const principal = c.get('principal');
  requireScope(principal, 'write');
  const draft = await parseJsonBody(c, flowSchema);
  const pilot = await getWorkspacePilot(c.env, principal.workspaceId, draft.pilotId);
  if (!pilot) {
    throw new ApiError(400, ErrorCode.invalidInput, 'Unknown pilot', [
      { path: 'pilotId', message: 'No such pilot' },
    ]);
  }
  const now = Date.now();
  const record: FlowRecord = {
    id: newId('flow'),
    workspaceId: principal.workspaceId,
    pilotId: pilot.id,
    draft,
    revision: 1,
    publishedVersion: null,
    createdAt: now,
    updatedAt: now,
  };
  await insertFlow(c.env, record);
  c.header('etag', `"${record.revision}"`);
  return c.json(flowView(record), 201);
});

adminRoutes.get('/flows/:flowId', async (c) => {
  const flow = await getWorkspaceFlow(c.env, c.get('principal').workspaceId, c.req.param('flowId'));
  if (!flow) throw new ApiError(404, ErrorCode.notFound, 'Flow not found');
  c.header('etag', `"${flow.revision}"`);
  return c.json(flowView(flow));
});

adminRoutes.post('/flows/:flowId/publish', async (c) => {
  const principal = c.get('principal');
  requireScope(principal, 'write');
  const flow = await getWorkspaceFlow(c.env, principal.workspaceId, c.req.param('flowId'));
  if (!flow) throw new ApiError(404, ErrorCode.notFound, 'Flow not found');
  const { note } = await parseJsonBody(c, publishBodySchema);
  const now = Date.now();
  const version = await publishDraft(c.env, flow, note, principal.keyName, now);
  await writeSnapshot(c.env, flow.pilotId, now);
  return c.json({
    flowId: flow.id,
    version,
    note,
    publishedAt: now,
    publishedBy: principal.keyName,
  });
});
