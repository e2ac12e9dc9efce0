/**
 * Short-lived signed visitor tokens (HS256 JWT via hono/jwt). They bind a visitor to one pilot
 * and one conversation; the socket route refuses anything else. Never logged.
 */
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

export const VISITOR_TOKEN_TTL_SECONDS = 60 * 60;

const claimsSchema = z.object({
  sub: z.string().min(1),
  pid: z.string().min(1),
  cid: z.string().min(1),
  /** The contact's userId, present only when `identify` was accepted (see verifyUserHash). */
  uid: z.string().min(1).optional(),
  exp: z.number(),
});
export type VisitorClaims = z.infer<typeof claimsSchema>;

export async function signVisitorToken(
  claims: Omit<VisitorClaims, 'exp'>,
  secret: string,
  nowSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const exp = nowSeconds + VISITOR_TOKEN_TTL_SECONDS;
  return { token: await sign({ ...claims, exp }, secret, 'HS256'), expiresAt: exp * 1000 };
}

/** The claims of a valid, unexpired token; null otherwise. */
export async function verifyVisitorToken(
  token: string,
  secret: string,
): Promise<VisitorClaims | null> {
  try {
    const payload = await verify(token, secret, 'HS256');
    const parsed = claimsSchema.safeParse(payload);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    [usage],
  );
}

/**
 * Identity verification (SPEC 3.1): `hash` must be hex(HMAC-SHA256(identitySecret, userId)).
 * Compared by `crypto.subtle.verify`, which is constant-time.
 */
export async function verifyUserHash(
  identitySecret: string,
  userId: string,
  hash: string | undefined,
): Promise<boolean> {
  if (!hash || !/^[0-9a-f]{64}$/i.test(hash)) return false;
  const bytes = new Uint8Array(hash.match(/../g)!.map((h) => Number.parseInt(h, 16)));
  return crypto.subtle.verify(
    'HMAC',
    await hmacKey(identitySecret, 'verify'),
    bytes,
    new TextEncoder().encode(userId),
  );
}

/**
 * The visitor id of an identified contact: the same on every device, derived with the server's
 * secret so it cannot be guessed, and shaped (`c_…`) so no client can claim it as a `visitorId`.
 */
export async function contactVisitorId(
  pilotId: string,
  userId: string,
  secret: string,
): Promise<string> {
  return `c_${await hmacHex(secret, `contact:${pilotId}:${userId}`)}`;
}

async function hmacHex(secret: string, data: string, bytes = 16): Promise<string> {
  const mac = await crypto.subtle.sign(
    'HMAC',
    await hmacKey(secret, 'sign'),
    new TextEncoder().encode(data),
  );
  return [...new Uint8Array(mac)]
    .slice(0, bytes)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/** `<visitorId>.<hex HMAC>`: the only shape `visitorFromKey` accepts. */
const VISITOR_KEY = /^(v_[A-Za-z0-9_-]{16,64})\.([0-9a-f]{64})$/;

/**
 * The anonymous visitor's resume credential: its visitor id signed with the server's secret for
 * this pilot. Only the session response carries it (to the browser, which stores it); the admin
 * API, live view, contact ids and logs show the bare visitor id, which therefore proves nothing.
 */
export async function visitorKeyFor(
  pilotId: string,
  visitorId: string,
  secret: string,
): Promise<string> {
  return `${visitorId}.${await hmacHex(secret, `visitor:${pilotId}:${visitorId}`, 32)}`;
}

/**
 * The visitor id a key proves, or null for anything else: a bare visitor id (what admins see,
 * and what widgets stored before keys existed), a forged or another pilot's signature, garbage.
 * Compared by `crypto.subtle.verify`, which is constant-time.
 */
export async function visitorFromKey(
  pilotId: string,
  key: string | undefined,
  secret: string,
): Promise<string | null> {
  const match = key ? VISITOR_KEY.exec(key) : null;
  if (!match) return null;
  const [, visitorId, mac] = match as unknown as [string, string, string];
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret, 'verify'),
    new Uint8Array(mac.match(/../g)!.map((h) => Number.parseInt(h, 16))),
    new TextEncoder().encode(`visitor:${pilotId}:${visitorId}`),
  );
  return valid ? visitorId : null;
}

/**
 * A visitor's conversation id: an HMAC of pilot and visitor, so several tabs of one visitor
 * share one conversation and nobody can derive it without the server's secret. Knowing the id
 * does not open it either: the socket wants a visitor token, which only a verified visitor key
 * (or identify hash) earns.
 */
export async function conversationIdFor(
  pilotId: string,
  visitorId: string,
  secret: string,
): Promise<string> {
  return `conv_${await hmacHex(secret, `conv:${pilotId}:${visitorId}`)}`;
}
