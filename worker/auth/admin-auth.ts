/**
 * Bearer auth for `/v1/admin/*`. Two kinds of key:
 * - the bootstrap key (ADMIN_API_KEY, or `dev-admin-key` in development) of workspace
 *   `ws_default`, compared in constant time;
 * - keys created through `POST /api-keys`: looked up by SHA-256 (the key itself is never
 *   stored), named, scoped, revocable.
 * Every authenticated key is rate limited; requests without a valid key are rate limited per
 * client IP, so guessing keys is throttled too.
 */
import { createMiddleware } from 'hono/factory';
import { ErrorCode } from '../../shared/errors.ts';
import { type AppEnv, bootstrapAdminKey, DEFAULT_WORKSPACE_ID, isDevelopment } from '../env.ts';
import { ApiError } from '../http/api-error.ts';
import { findKeyByHash, type Scope } from '../store/api-keys.ts';
import { secretsEqual, sha256Hex } from './hash.ts';
import { limitAuthFailure, limitKey } from './rate-limit.ts';

export type { Scope } from '../store/api-keys.ts';

/** Who is calling the admin API. */
export interface AdminPrincipal {
  workspaceId: string;
  /** `bootstrap` or the id of a D1 key: the rate-limit bucket. */
  keyId: string;
  /** Recorded as `publishedBy` on flow versions. */
  keyName: string;
  scopes: readonly Scope[];
}

export type AdminVariables = { principal: AdminPrincipal };

async function principalFor(env: AppEnv, key: string): Promise<AdminPrincipal | null> {
  const bootstrap = bootstrapAdminKey(env);
  if (bootstrap && (await secretsEqual(key, bootstrap))) {
    return {
      workspaceId: DEFAULT_WORKSPACE_ID,
      keyId: 'bootstrap',
      keyName: 'bootstrap',
      scopes: ['read', 'write'],
    };
  }
  const record = await findKeyByHash(env, await sha256Hex(key));
  if (!record) return null;
  return {
    workspaceId: record.workspaceId,
    keyId: record.id,
    keyName: record.name,
    scopes: record.scopes,
  };
}

export const adminAuth = createMiddleware<{ Bindings: AppEnv; Variables: AdminVariables }>(
  async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    // A browser's live-view socket carries a ticket instead of a header; its route redeems it.
    if (!header && isTicketedLiveSocket(c.req.method, c.req.path, c.req.query('ticket')))
      return next();
    const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
    const principal = match?.[1] ? await principalFor(c.env, match[1]) : null;
    if (!principal) {
      await limitAuthFailure(c.env, c.req.header('cf-connecting-ip') ?? 'unknown');
      throw new ApiError(
        401,
        ErrorCode.unauthorized,
        match ? 'Invalid API key' : 'Missing bearer token in Authorization header',
      );
    }
    if (!isLocalSeed(c.env, c.req.method, c.req.path))
      await limitKey(c.env, principal.keyId, principal.workspaceId);
    c.set('principal', principal);
    requireScope(principal, scopeFor(c.req.method, c.req.path));
    return next();
  },
);

/**
 * The development seed (`npm start`, the test servers) must not fail because the local key
 * spent its budget in earlier heavy use: it is idempotent, needs a valid key, and exists only
 * in development, so it skips the per-key limit there. Production has no seed route.
 */
function isLocalSeed(env: AppEnv, method: string, path: string): boolean {
  return isDevelopment(env) && method === 'POST' && path === '/v1/admin/dev/seed';
}

/**
 * `GET /live/socket?ticket=…` with no Authorization header: authenticated by the ticket (see
 * worker/live/live-tickets.ts), which the route itself redeems, scope and rate limit included.
 */
export function isTicketedLiveSocket(method: string, path: string, ticket: string | undefined) {
  return method === 'GET' && path === '/v1/admin/live/socket' && ticket !== undefined;
}

/**
 * Reads need `read`, changes need `write`. Validate and simulate are POSTs that change
 * nothing, so `read` suffices for them; so does a live-view ticket (it only lets one watch).
 */
export function scopeFor(method: string, path: string): Scope {
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (method === 'POST' && path === '/v1/admin/live/tickets') return 'read';
  if (method === 'POST' && /\/flows\/([^/]+\/)?(validate|simulate)$/.test(path)) return 'read';
  return 'write';
}

/** Refuses the request unless the caller's key has `scope`. */
export function requireScope(principal: AdminPrincipal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) {
    throw new ApiError(403, ErrorCode.forbidden, `This key lacks the "${scope}" scope`);
  }
}
