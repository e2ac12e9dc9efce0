/** `/api-keys`: create (the key is in the 201 response only), list, revoke. */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import { newId, randomToken, sha256Hex } from '../../auth/hash.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
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
  type ApiKeyRecord,
  insertKey,
  listKeys,
  MAX_LIVE_KEYS,
  revokeKey,
  SCOPES,
} from '../../store/api-keys.ts';
import type { Cursor } from '../../store/keyset.ts';
import { listWorkspacePilots } from '../../store/pilots.ts';

const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** First characters of the key, to tell keys apart. */
    prefix: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: z.number().int(),
  })
  .openapi('ApiKey');

const createdKeySchema = apiKeySchema
  .extend({
    key: z.string().openapi({ description: 'The secret key. Shown once, stored hashed.' }),
  })
  .openapi('CreatedApiKey');

const createKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).min(1).max(2).default(['read']),
  })
  .strict()
  .openapi('CreateApiKey');

function view(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt,
  };
}

export const apiKeyRoutes = adminRouter();

apiKeyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api-keys',
    operationId: 'listApiKeys',
    tags: ['API keys'],
    summary: 'List live API keys (never the keys themselves)',
    request: { query: paginationQuery },
    responses: { 200: json(listOf(apiKeySchema, 'ApiKeyList')), ...errors() },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listKeys(c.env, c.get('principal').workspaceId, limit, decodeCursor(cursor));
    return c.json({ items: page.items.map(view), nextCursor: page.nextCursor }, 200);
  },
);

apiKeyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api-keys',
    operationId: 'createApiKey',
    tags: ['API keys'],
    summary: 'Create an API key; the response is the only time the key is shown',
    description: `A key can create keys with its own scopes only (a write-only key cannot make a reader). A workspace holds at most ${MAX_LIVE_KEYS} live keys: revoke one to make another.`,
    request: { body: jsonBody(createKeySchema) },
    responses: { 201: json(createdKeySchema, 'Created'), ...errors(403, 409) },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const scopes = [...new Set(body.scopes)];
    const missing = scopes.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0)
      throw new ApiError(
        403,
        ErrorCode.forbidden,
        `A key can only create keys with its own scopes; this one lacks: ${missing.join(', ')}`,
        [{ path: 'scopes', message: `not held by this key: ${missing.join(', ')}` }],
      );
    const secret = `ep_${randomToken(24)}`;
    const record = {
      id: newId('key'),
      workspaceId: principal.workspaceId,
      name: body.name,
      prefix: secret.slice(0, 7),
      scopes,
      createdAt: Date.now(),
    };
    if (!(await insertKey(c.env, record, await sha256Hex(secret))))
      throw new ApiError(
        409,
        ErrorCode.conflict,
        `This workspace already holds ${MAX_LIVE_KEYS} live keys: revoke one first`,
      );
    return c.json({ ...view({ ...record, revokedAt: null }), key: secret }, 201);
  },
);

apiKeyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/api-keys/{keyId}',
    operationId: 'revokeApiKey',
    tags: ['API keys'],
    summary: 'Revoke an API key (immediately)',
    request: { params: z.object({ keyId: idParam('keyId') }) },
    responses: { 200: json(deletedSchema), ...errors(404) },
  }),
  async (c) => {
    const { keyId } = c.req.valid('param');
    const revoked = await revokeKey(c.env, c.get('principal').workspaceId, keyId, Date.now());
    if (!revoked) throw notFound('API key');
    await closeLiveSockets(c.env, c.get('principal').workspaceId, keyId);
    return c.json({ id: keyId, deleted: true as const }, 200);
  },
);

/** Most pilots whose live sockets one revoke visits (a workspace has a handful). */
const MAX_PILOTS_VISITED = 1000;

/**
 * Closes the live view sockets `keyId` opened on the workspace's pilots: the key check happens
 * only when a socket opens, so without this a revoked key would go on reading.
 */
async function closeLiveSockets(env: AppEnv, workspaceId: string, keyId: string): Promise<void> {
  let cursor: Cursor | null = null;
  for (let visited = 0; visited < MAX_PILOTS_VISITED; visited += 100) {
    const page = await listWorkspacePilots(env, workspaceId, 100, cursor);
    await Promise.all(
      page.items.map((pilot) =>
        env.PILOT.get(env.PILOT.idFromName(pilot.id)).closeSubscribers(keyId),
      ),
    );
    if (!page.nextCursor) return;
    cursor = decodeCursor(page.nextCursor);
  }
}
