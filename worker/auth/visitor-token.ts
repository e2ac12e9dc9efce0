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

/**
 * A visitor's conversation id: an HMAC of pilot and visitor, so several tabs of one visitor
 * share one conversation and nobody can derive it without the visitor id.
 */
export async function conversationIdFor(
  pilotId: string,
  visitorId: string,
  secret: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    new TextEncoder().encode(`conv:${pilotId}:${visitorId}`),
  );
  const hex = [...new Uint8Array(mac)].slice(0, 16).map((b) => b.toString(16).padStart(2, '0'));
  return `conv_${hex.join('')}`;
}
