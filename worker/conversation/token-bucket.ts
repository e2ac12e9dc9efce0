/**
 * Token bucket for visitor frames, one per conversation (exact, unlike the approximate
 * rate-limiting binding). Pure: the caller stores the state with the turn.
 */
export interface Bucket {
  tokens: number;
  at: number;
}

/** A burst of 20 frames, then 5 per second sustained. */
export const BUCKET_CAPACITY = 20;
export const BUCKET_REFILL_PER_SECOND = 5;

/** Takes one token at `now`; `allowed` false means the frame must be refused (nothing stored). */
export function takeToken(
  bucket: Bucket | null,
  now: number,
  capacity = BUCKET_CAPACITY,
  perSecond = BUCKET_REFILL_PER_SECOND,
): { allowed: boolean; bucket: Bucket; retryAfterMs: number } {
  const current = bucket ?? { tokens: capacity, at: now };
  const elapsed = Math.max(0, now - current.at) / 1000;
  const tokens = Math.min(capacity, current.tokens + elapsed * perSecond);
  if (tokens < 1) {
    return {
      allowed: false,
      bucket: { tokens, at: now },
      retryAfterMs: Math.ceil(((1 - tokens) / perSecond) * 1000),
    };
  }
  return { allowed: true, bucket: { tokens: tokens - 1, at: now }, retryAfterMs: 0 };
}
