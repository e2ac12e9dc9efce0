/** `/pilots`: CRUD; every change rewrites the pilot's KV snapshot (what the widget reads). */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import { type PilotSettings, pilotSettingsSchema } from '../../../shared/pilot.ts';
import { deletePilotAI, erasePilotVectors } from '../../ai/pilot-ai.ts';
import { newId, randomToken } from '../../auth/hash.ts';
import { ApiError, notFound, zodIssues } from '../../http/api-error.ts';
import { withConflicts } from '../../http/d1-errors.ts';
import {
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
  deletePilot,
  getIdentitySecret,
  getWorkspacePilot,
  insertPilot,
  listWorkspacePilots,
  type PilotRecord,
  setIdentitySecret,
  updatePilot,
} from '../../store/pilots.ts';
import { deleteSnapshot, writeSnapshot } from '../../store/snapshots.ts';
import {
  createPilotSchema,
  patchPilotSchema,
  pilotSchema,
  rotatedSecretSchema,
} from './pilot-schemas.ts';

export const pilotParams = z.object({ pilotId: idParam('pilotId') });

function view(pilot: PilotRecord, hasIdentitySecret: boolean) {
  return {
    ...pilot.settings,
    id: pilot.id,
    name: pilot.name,
    publicKey: pilot.publicKey,
    hasIdentitySecret,
    createdAt: pilot.createdAt,
    updatedAt: pilot.updatedAt,
  };
}

/** Identity can only be enforced when there is a secret to verify hashes with. */
function checkEnforcement(settings: PilotSettings, hasSecret: boolean): void {
  if (settings.identityEnforced && !hasSecret) {
    throw new ApiError(400, ErrorCode.invalidInput, 'Identity enforcement needs a secret', [
      { path: 'identityEnforced', message: 'Set identitySecret before enforcing identity' },
    ]);
  }
}

export async function requirePilot(
  env: Parameters<typeof getWorkspacePilot>[0],
  workspaceId: string,
  pilotId: string,
): Promise<PilotRecord> {
  const pilot = await getWorkspacePilot(env, workspaceId, pilotId);
  if (!pilot) throw notFound('Pilot');
  return pilot;
}

export const pilotRoutes = adminRouter();

pilotRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/pilots',
    operationId: 'listPilots',
    tags: ['Pilots'],
    summary: 'List pilots',
    request: { query: paginationQuery },
    responses: { 200: json(listOf(pilotSchema, 'PilotList')), ...errors() },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const { workspaceId } = c.get('principal');
    const page = await listWorkspacePilots(c.env, workspaceId, limit, decodeCursor(cursor));
    const items = await Promise.all(
      page.items.map(async (p) => view(p, (await getIdentitySecret(c.env, p.id)) !== null)),
    );
    return c.json({ items, nextCursor: page.nextCursor }, 200);
  },
);

pilotRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/pilots',
    operationId: 'createPilot',
    tags: ['Pilots'],
    summary: 'Create a pilot (its public key is generated)',
    request: { body: jsonBody(createPilotSchema) },
    responses: { 201: json(pilotSchema, 'Created'), ...errors(409) },
  }),
  async (c) => {
    const { name, identitySecret, ...settings } = c.req.valid('json');
    checkEnforcement(settings, identitySecret !== undefined);
    const now = Date.now();
    const pilot: PilotRecord = {
      id: newId('pilot'),
      workspaceId: c.get('principal').workspaceId,
      publicKey: `pk_${randomToken(16)}`,
      name,
      settings,
      createdAt: now,
      updatedAt: now,
    };
    await withConflicts('Pilot', () => insertPilot(c.env, pilot));
    if (identitySecret) await setIdentitySecret(c.env, pilot.id, identitySecret);
    await writeSnapshot(c.env, pilot.id, now);
    return c.json(view(pilot, identitySecret !== undefined), 201);
  },
);

pilotRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/pilots/{pilotId}',
    operationId: 'getPilot',
    tags: ['Pilots'],
    summary: 'Get a pilot (the identity secret is never returned)',
    request: { params: pilotParams },
    responses: { 200: json(pilotSchema), ...errors(404) },
  }),
  async (c) => {
    const pilot = await requirePilot(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').pilotId,
    );
    return c.json(view(pilot, (await getIdentitySecret(c.env, pilot.id)) !== null), 200);
  },
);

pilotRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/pilots/{pilotId}',
    operationId: 'updatePilot',
    tags: ['Pilots'],
    summary: 'Change pilot fields; only the fields sent change',
    request: { params: pilotParams, body: jsonBody(patchPilotSchema) },
    responses: { 200: json(pilotSchema), ...errors(404) },
  }),
  async (c) => {
    const current = await requirePilot(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').pilotId,
    );
    const { name, identitySecret, ...patch } = c.req.valid('json');
    const merged = pilotSettingsSchema.safeParse({ ...current.settings, ...patch });
    if (!merged.success) {
      throw new ApiError(
        400,
        ErrorCode.invalidInput,
        'Invalid request body',
        zodIssues(merged.error),
      );
    }
    const hasSecret =
      identitySecret === undefined
        ? (await getIdentitySecret(c.env, current.id)) !== null
        : identitySecret !== null;
    checkEnforcement(merged.data, hasSecret);
    const now = Date.now();
    const pilot = { ...current, name: name ?? current.name, settings: merged.data, updatedAt: now };
    await updatePilot(c.env, pilot, identitySecret);
    await writeSnapshot(c.env, pilot.id, now);
    return c.json(view(pilot, hasSecret), 200);
  },
);

pilotRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/pilots/{pilotId}/identity-secret/rotate',
    operationId: 'rotateIdentitySecret',
    tags: ['Pilots'],
    summary: 'Generate a new identity secret; the response is the only time it is shown',
    request: { params: pilotParams },
    responses: { 200: json(rotatedSecretSchema), ...errors(404) },
  }),
  async (c) => {
    const pilot = await requirePilot(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').pilotId,
    );
    const secret = `is_${randomToken(32)}`;
    await setIdentitySecret(c.env, pilot.id, secret);
    await writeSnapshot(c.env, pilot.id, Date.now());
    return c.json({ identitySecret: secret }, 200);
  },
);

pilotRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/pilots/{pilotId}',
    operationId: 'deletePilot',
    tags: ['Pilots'],
    summary: 'Delete a pilot with its flows, versions and knowledge',
    request: { params: pilotParams },
    responses: { 200: json(deletedSchema), ...errors(404, 409) },
  }),
  async (c) => {
    const { workspaceId } = c.get('principal');
    const pilot = await requirePilot(c.env, workspaceId, c.req.valid('param').pilotId);
    // Vectors first: if Vectorize refuses, the pilot stays and the delete can be retried.
    await erasePilotVectors(c.env, pilot.id);
    await withConflicts('Pilot', () => deletePilot(c.env, workspaceId, pilot.id));
    await deleteSnapshot(c.env, pilot.publicKey);
    await deletePilotAI(c.env, pilot.id);
    return c.json({ id: pilot.id, deleted: true as const }, 200);
  },
);
