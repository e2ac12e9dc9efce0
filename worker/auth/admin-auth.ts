import { createMiddleware } from 'hono/factory';
import { ErrorCode } from '../../shared/errors.ts';
import { type AppEnv, bootstrapAdminKey, DEFAULT_WORKSPACE_ID } from '../env.ts';
import { ApiError } from '../http/api-error.ts';
import { secretsEqual } from './hash.ts';

export type Scope = 'read' | 'write';

/** Who is calling the admin API. */
export interface AdminPrincipal {
  workspaceId: string;
  keyName: string;
  scopes: readonly Scope[];
}

export type AdminVariables = { principal: AdminPrincipal };

/**
 * Bearer auth for `/v1/admin/*`. The bootstrap key (ADMIN_API_KEY, or `dev-admin-key` in
 * development) owns the default workspace.
 */
export const adminAuth = createMiddleware<{ Bindings: AppEnv; Variables: AdminVariables }>(
  async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError(
        401,
        ErrorCode.unauthorized,
        'Missing bearer token in Authorization header',
      );
    }
    const key = match[1];
    const bootstrap = bootstrapAdminKey(c.env);
    if (bootstrap && (await secretsEqual(key, bootstrap))) {
      c.set('principal', {
        workspaceId: DEFAULT_WORKSPACE_ID,
        keyName: 'bootstrap',
        scopes: ['read', 'write'],
      });
      return next();
    }
    throw new ApiError(401, ErrorCode.unauthorized, 'Invalid API key');
  },
);

/** Refuses the request unless the caller's key has `scope`. */
export function requireScope(principal: AdminPrincipal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) {
    throw new ApiError(403, ErrorCode.forbidden, `This key lacks the "${scope}" scope`);
  }
}
