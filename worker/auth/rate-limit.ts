/**
 * Rate limits through the Workers rate-limiting binding (wrangler.toml `ratelimits`): for the
 * admin API a budget per key and one per workspace, and a smaller one per client IP for requests without a valid
 * key; for the widget, new sessions per client IP.
 */
import { ErrorCode } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/api-error.ts';

function limited(): ApiError {
  return new ApiError(429, ErrorCode.rateLimited, 'Too many requests; retry in a minute');
}

/**
 * Counts an admin request against its key's budget and its workspace's (five keys' worth): a
 * key holder may mint up to 100 keys, and must not get a budget a hundred times one key's.
 */
export async function limitKey(env: AppEnv, keyId: string, workspaceId: string): Promise<void> {
  const { success } = await env.ADMIN_KEY_LIMITER.limit({ key: `key:${keyId}` });
  if (!success) throw limited();
  const workspace = await env.ADMIN_WORKSPACE_LIMITER.limit({ key: `ws:${workspaceId}` });
  if (!workspace.success) throw limited();
}

/** Counts a request without a valid key; over the budget the answer is 429 instead of 401. */
export async function limitAuthFailure(env: AppEnv, ip: string): Promise<void> {
  const { success } = await env.ADMIN_AUTH_LIMITER.limit({ key: `ip:${ip}` });
  if (!success) throw limited();
}

/**
 * Counts a new widget session for the client's address; over the budget the answer is 429.
 * Cloudflare sets `cf-connecting-ip` on every request from the internet; a request without one
 * (from inside the runtime) or from loopback (`npm start`, the load suite and benchmarks on
 * this machine) is local tooling and not counted.
 */
export async function limitSession(env: AppEnv, ip: string | undefined): Promise<void> {
  if (!ip || isLoopback(ip)) return;
  const { success } = await env.WIDGET_SESSION_LIMITER.limit({ key: `ip:${ip}` });
  if (!success) throw limited();
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}
