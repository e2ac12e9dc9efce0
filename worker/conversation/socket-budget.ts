/**
 * Token buckets (pure: the caller keeps the state). Every inbound frame of a visitor socket —
 * hello, malformed, binary, duplicate or valid — spends a token of its socket's budget before
 * it is even parsed, and hellos (each one replays a page of messages) spend a second, smaller
 * budget. The conversation's own bucket (BUCKET_CAPACITY, exact, unlike the approximate
 * rate-limiting binding) still decides which stored frames a turn may apply.
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

/**
 * A burst above what the widget ever sends at once (a hello plus its whole offline queue of
 * 100 frames after a reconnect), then 20 frames a second.
 */
export const SOCKET_FRAME_BURST = 120;
export const SOCKET_FRAMES_PER_SECOND = 20;
/** Refused frames in one flood (the client ignores the error frame) before the socket is closed. */
export const SOCKET_REFUSALS_BEFORE_CLOSE = 100;
/** Hellos: a few at once (connect, locale change, replay pages), then one a second. */
export const HELLO_BURST = 10;
export const HELLOS_PER_SECOND = 1;
/**
 * Hellos of the whole conversation, whichever socket sends them: a socket's own budget starts
 * full, so a client that reconnects for every few hellos would otherwise replay pages without
 * end (a hostile review drew 31–51 MB/s from one conversation this way). Above what tabs
 * connecting at once and a long history paged in need, then 4 a second.
 */
export const CONVERSATION_HELLO_BURST = 40;
export const CONVERSATION_HELLOS_PER_SECOND = 4;
/**
 * Sockets opened per conversation (the open ones are capped by MAX_SOCKETS_PER_CONVERSATION;
 * this bounds how fast they can be replaced): every tab at once, then one a second.
 */
export const SOCKET_OPEN_BURST = 20;
export const SOCKET_OPENS_PER_SECOND = 1;
/** Messages one hello replays; the welcome frame's `pageEnd` asks the client for the rest. */
export const REPLAY_PAGE = 100;
/**
 * HTTP beacons (`POST /events`, a page view riding `POST /session`) per conversation: each one
 * settles the conversation and answers with its tail, duplicates included, so each call spends
 * a token before any frame is read. A burst well above a messenger's page views and offline
 * flushes, then 2 a second; an empty bucket refills in 10 s, about when an idle object is
 * evicted (the bucket lives in memory, as the socket budgets do).
 */
export const BEACON_BURST = 20;
export const BEACONS_PER_SECOND = 2;
/** Open sockets per conversation (tabs of one visitor); the next one is refused. */
export const MAX_SOCKETS_PER_CONVERSATION = 20;

export interface SocketBudget {
  frames: Bucket | null;
  hellos: Bucket | null;
  /**
   * Frames refused in the current flood. The flood is over once the client let the budget
   * refill to half: a token trickling in between refused frames does not end it.
   */
  refused: number;
}

export const freshBudget = (): SocketBudget => ({ frames: null, hellos: null, refused: 0 });

/**
 * `accept`: handle the frame. `warn`: the first refusal of a flood — say so once (one error
 * frame). `drop`: ignore it unread. `close`: the client ignores the warning; close the socket.
 */
export type FrameVerdict = 'accept' | 'warn' | 'drop' | 'close';

export function admitFrame(
  budget: SocketBudget,
  now: number,
): { verdict: FrameVerdict; budget: SocketBudget; retryAfterMs: number } {
  const taken = takeToken(budget.frames, now, SOCKET_FRAME_BURST, SOCKET_FRAMES_PER_SECOND);
  if (taken.allowed) {
    const calm = taken.bucket.tokens + 1 >= SOCKET_FRAME_BURST / 2;
    return {
      verdict: 'accept',
      budget: { ...budget, frames: taken.bucket, refused: calm ? 0 : budget.refused },
      retryAfterMs: 0,
    };
  }
  const refused = budget.refused + 1;
  const verdict: FrameVerdict =
    refused === 1 ? 'warn' : refused >= SOCKET_REFUSALS_BEFORE_CLOSE ? 'close' : 'drop';
  return {
    verdict,
    budget: { ...budget, frames: taken.bucket, refused },
    retryAfterMs: taken.retryAfterMs,
  };
}

/**
 * Spends one hello of the socket's budget and one of the conversation's (`shared`, only when
 * the socket's allowed it); `allowed` false means the hello is refused whole (no replay, no
 * locale).
 */
export function admitHello(
  budget: SocketBudget,
  shared: Bucket | null,
  now: number,
): { allowed: boolean; budget: SocketBudget; shared: Bucket | null; retryAfterMs: number } {
  const taken = takeToken(budget.hellos, now, HELLO_BURST, HELLOS_PER_SECOND);
  const next = { ...budget, hellos: taken.bucket };
  if (!taken.allowed)
    return { allowed: false, budget: next, shared, retryAfterMs: taken.retryAfterMs };
  const all = takeToken(shared, now, CONVERSATION_HELLO_BURST, CONVERSATION_HELLOS_PER_SECOND);
  return {
    allowed: all.allowed,
    budget: next,
    shared: all.bucket,
    retryAfterMs: all.retryAfterMs,
  };
}
