/**
 * Secrets are not in wrangler.toml, so `wrangler types` cannot see them; they are optional
 * here and have development defaults only when ENVIRONMENT is "development".
 *
 * The committed wrangler.toml says ENVIRONMENT = "production": a deploy that forgets to
 * override anything is production. Only the local tooling (`npm start`, the test configs)
 * asks for "development", explicitly (`--var ENVIRONMENT:development` or a test binding).
 */
import type { ErrorIssue } from '../shared/errors.ts';

export interface Secrets {
  /** Bootstrap admin key for the default workspace. */
  ADMIN_API_KEY?: string;
  /** HMAC key for visitor tokens. */
  SESSION_SECRET?: string;
}
/** Optional knobs, unset in wrangler.toml (the defaults apply); the workerd tests bind them. */
export interface Tuning {
  /** Conversations an unpublish cancels per request or alarm (worker/pilot/cancel-flow-runs.ts). */
  CANCEL_RUNS_BATCH?: string;
}
export type AppEnv = Omit<Env, 'ENVIRONMENT'> & Secrets & Tuning & { ENVIRONMENT?: string };

export const DEV_ADMIN_KEY = 'dev-admin-key';
/** Public (it is in this repository): signs visitor tokens only in development. */
export const DEV_SESSION_SECRET = 'dev-session-secret-not-for-production';
export const DEFAULT_WORKSPACE_ID = 'ws_default';
/** Shortest secret a production Worker accepts: 32 characters (`openssl rand -hex 32` gives 64). */
export const MIN_SECRET_LENGTH = 32;

/** Development only when asked for by name; anything else, or nothing, is production. */
export function isDevelopment(env: Pick<AppEnv, 'ENVIRONMENT'>): boolean {
  return env.ENVIRONMENT === 'development';
}

/**
 * What a production Worker lacks to serve its API safely: each missing, public or too short
 * secret, named. Empty in development (the dev fallbacks apply) and when all is set.
 */
export function secretProblems(env: Pick<AppEnv, 'ENVIRONMENT' | keyof Secrets>): ErrorIssue[] {
  if (isDevelopment(env)) return [];
  const publicValues: Record<keyof Secrets, string> = {
    ADMIN_API_KEY: DEV_ADMIN_KEY,
    SESSION_SECRET: DEV_SESSION_SECRET,
  };
  const problems: ErrorIssue[] = [];
  for (const name of ['ADMIN_API_KEY', 'SESSION_SECRET'] as const) {
    const value = env[name];
    const message = !value
      ? 'not set'
      : value === publicValues[name]
        ? 'is the public development value'
        : value.length < MIN_SECRET_LENGTH
          ? `shorter than ${MIN_SECRET_LENGTH} characters`
          : null;
    if (message) problems.push({ path: name, message: `${message}: wrangler secret put ${name}` });
  }
  return problems;
}

/** The bootstrap admin key, or null when none is configured (production without the secret). */
export function bootstrapAdminKey(env: AppEnv): string | null {
  if (env.ADMIN_API_KEY) return env.ADMIN_API_KEY;
  return isDevelopment(env) ? DEV_ADMIN_KEY : null;
}

export function sessionSecret(env: AppEnv): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  if (isDevelopment(env)) return DEV_SESSION_SECRET;
  // Unreachable through the API: requireSecrets (worker/index.ts) answers 503 first.
  throw new Error('SESSION_SECRET is not set');
}
