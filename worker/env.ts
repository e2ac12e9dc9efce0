/**
 * Secrets are not in wrangler.toml, so `wrangler types` cannot see them; they are optional
 * here and have development defaults only when ENVIRONMENT is "development".
 */
export interface Secrets {
  /** Bootstrap admin key for the default workspace. */
  ADMIN_API_KEY?: string;
  /** HMAC key for visitor tokens. */
  SESSION_SECRET?: string;
}
export type AppEnv = Omit<Env, 'ENVIRONMENT'> & Secrets & { ENVIRONMENT: string };

export const DEV_ADMIN_KEY = 'dev-admin-key';
export const DEFAULT_WORKSPACE_ID = 'ws_default';

export function isDevelopment(env: AppEnv): boolean {
  return env.ENVIRONMENT === 'development';
}

/** The bootstrap admin key, or null when none is configured (production without the secret). */
export function bootstrapAdminKey(env: AppEnv): string | null {
  if (env.ADMIN_API_KEY) return env.ADMIN_API_KEY;
  return isDevelopment(env) ? DEV_ADMIN_KEY : null;
}

export function sessionSecret(env: AppEnv): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  if (isDevelopment(env)) return 'dev-session-secret-not-for-production';
  throw new Error('SESSION_SECRET is not set');
}
