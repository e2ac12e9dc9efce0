/**
 * Admin rate limits through the Workers rate-limiting binding (wrangler.toml `ratelimits`):
 * a budget per key, and a smaller one per client IP for requests without a valid key.
 */
import { ErrorCode } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../http/api-error.ts';

function limited(): ApiError {
  return new ApiError(429, ErrorCode.rateLimited, 'Too many requests; retry in a minute');
}

export async function limitKey(env: AppEnv, keyId: string): Promise<void> {
  const { success } = await env.ADMIN_KEY_LIMITER.limit({ key: `key:${keyId}` });
  if (!success) throw limited();
}

/** Counts a request without a valid key; over the budget the answer is 429 instead of 401. */
export async function limitAuthFailure(env: AppEnv, ip: string): Promise<void> {
  const { success } = await env.ADMIN_AUTH_LIMITER.limit({ key: `ip:${ip}` });
  if (!success) throw limited();
}
