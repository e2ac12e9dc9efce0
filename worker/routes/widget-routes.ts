/** Public routes the messenger talks to (SPEC 3.3). Origins are checked against trusted domains. */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { ErrorCode } from '../../shared/errors.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import { type ClientFrame, clientFrameSchema, MAX_FRAME_CHARS } from '../../shared/protocol.ts';
import { hostAllowed, originHost } from '../../shared/trusted-domains.ts';
import { randomToken } from '../auth/hash.ts';
import { limitSession } from '../auth/rate-limit.ts';
import {
  contactVisitorId,
  conversationIdFor,
  signVisitorToken,
  verifyUserHash,
  verifyVisitorToken,
  visitorFromKey,
  visitorKeyFor,
} from '../auth/visitor-token.ts';
import type { BeaconPage, SocketAttachment } from '../conversation/conversation-object.ts';
import { type AppEnv, sessionSecret } from '../env.ts';
import { ApiError } from '../http/api-error.ts';
import { MAX_BODY_BYTES, parseJsonBody } from '../http/parse.ts';
import { readSnapshot } from '../store/snapshots.ts';

const pilotKeySchema = z.string().regex(/^pk_[A-Za-z0-9_-]{1,64}$/);

/** Page views and events sent without a socket (a beacon, or with the session request). */
const framesSchema = z
  .array(clientFrameSchema)
  .min(1)
  .max(50)
  .superRefine((frames, ctx) => {
    // The socket refuses a frame over this size; a beacon must not carry what a socket cannot.
    for (const [index, frame] of frames.entries())
      if (JSON.stringify(frame).length > MAX_FRAME_CHARS)
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `Frames are at most ${MAX_FRAME_CHARS} characters`,
        });
  });

const sessionBodySchema = z.object({
  /**
   * The `visitorKey` a previous session returned (stored by the widget after interaction): the
   * only thing that resumes an anonymous visitor. Any string up to the limit is accepted and
   * checked by `visitorFromKey`; one that does not verify (an older widget's plain id, a forgery)
   * starts a fresh visitor, like an unverified identify, rather than failing the session.
   */
  visitorKey: z.string().max(200).optional(),
  /**
   * Sent by widgets before visitor keys existed. Still parsed (an old tab keeps working) but
   * never resumes anything: a visitor id is shown to admins and in logs, so it proves nothing.
   */
  visitorId: z
    .string()
    .regex(/^v_[A-Za-z0-9_-]{16,64}$/)
    .optional(),
  /** `EdgePilot('identify', {userId, hash})`: who the visitor claims to be. */
  user: z
    .object({
      userId: z.string().min(1).max(200),
      hash: z.string().max(128).optional(),
    })
    .optional(),
  /**
   * The page view (and events) the messenger has queued: applied to the session's conversation
   * as a beacon would, and answered in `page`, so a page view costs the visitor's page one
   * request instead of two. With them, the locale a socket's hello would say.
   */
  frames: framesSchema.optional(),
  locale: z.string().max(35).optional(),
});

/**
 * Decides who the session belongs to (SPEC 3.1). A claimed userId is accepted only when its
 * hash verifies against the pilot's identity secret. Without a secret, or with a missing or
 * wrong hash, the claim is ignored whatever the pilot's settings: the visitor stays anonymous
 * (its own `v_` visitor id and conversation) and never reaches the contact's conversation,
 * history or contact record. Trusting a bare userId would let anyone who knows or guesses it
 * read and post into that person's conversation.
 */
async function acceptedUser(
  snapshot: PilotSnapshot,
  user: { userId: string; hash?: string | undefined } | undefined,
): Promise<string | null> {
  // The secret lives only in the KV snapshot, server-side; no response ever carries it.
  const identitySecret = snapshot.pilot.identitySecret;
  if (!user || !identitySecret) return null;
  return (await verifyUserHash(identitySecret, user.userId, user.hash)) ? user.userId : null;
}

const beaconBodySchema = z.object({
  token: z.string().min(1).max(4096),
  /** The visitor's locale, which a hello would have said (flows see it as `system.locale`). */
  locale: z.string().max(35).optional(),
  frames: framesSchema,
});

export const widgetRoutes = new Hono<{ Bindings: AppEnv }>();

/** The subprotocol the messenger offers first; its second entry is the visitor token. */
const SOCKET_PROTOCOL = 'edgepilot.v1';

// The host page's origin is allowed to call us; whether it may start a session is decided
// below against the pilot's trusted domains.
widgetRoutes.use(
  '*',
  cors({ origin: (origin) => origin, allowMethods: ['GET', 'POST'], maxAge: 600 }),
);
// New sessions per client address (429 past the budget), counted before the body is read.
widgetRoutes.use('/:pilotKey/session', async (c, next) => {
  await limitSession(c.env, c.req.header('cf-connecting-ip'));
  return next();
});
// The same streaming limit as the admin routes: a chunked body is counted while it arrives
// and refused (413) as soon as it passes the limit, never read in full first.
widgetRoutes.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES }));

async function pilotSnapshot(env: AppEnv, rawKey: string) {
  const key = pilotKeySchema.safeParse(rawKey);
  if (!key.success) throw new ApiError(404, ErrorCode.notFound, 'Unknown pilot key');
  const snapshot = await readSnapshot(env, key.data);
  if (!snapshot) throw new ApiError(404, ErrorCode.notFound, 'Unknown pilot key');
  return snapshot;
}

widgetRoutes.get('/:pilotKey/config', async (c) => {
  const { pilot } = await pilotSnapshot(c.env, c.req.param('pilotKey'));
  c.header('cache-control', 'public, max-age=60');
  return c.json({
    pilotKey: pilot.publicKey,
    displayName: pilot.settings.appearance.displayName ?? pilot.name,
    appearance: pilot.settings.appearance,
  });
});

widgetRoutes.post('/:pilotKey/session', async (c) => {
  const snapshot = await pilotSnapshot(c.env, c.req.param('pilotKey'));
  const host = originHost(c.req.header('origin'));
  if (!host || !hostAllowed(host, snapshot.pilot.settings.trustedDomains)) {
    throw new ApiError(
      403,
      ErrorCode.originNotAllowed,
      'This origin is not a trusted domain of the pilot',
    );
  }
  const body = await parseJsonBody(c, sessionBodySchema);
  const secret = sessionSecret(c.env);
  const userId = await acceptedUser(snapshot, body.user);
  // A bare `body.visitorId` is deliberately ignored: admins and logs see visitor ids.
  const visitorId = userId
    ? await contactVisitorId(snapshot.pilot.id, userId, secret)
    : ((await visitorFromKey(snapshot.pilot.id, body.visitorKey, secret)) ??
      `v_${randomToken(18)}`);
  const conversationId = await conversationIdFor(snapshot.pilot.id, visitorId, secret);
  const { token, expiresAt } = await signVisitorToken(
    {
      sub: visitorId,
      pid: snapshot.pilot.publicKey,
      cid: conversationId,
      ...(userId ? { uid: userId } : {}),
    },
    secret,
    Math.floor(Date.now() / 1000),
  );
  const page = body.frames
    ? await firstPage(c.env, conversationId, body.frames, body.locale, {
        visitorId,
        pilotKey: snapshot.pilot.publicKey,
        conversationId,
        userId,
      })
    : null;
  return c.json({
    ...(page
      ? {
          // What a beacon's answer says; `refused` frames (rate limited, nothing stored) are the
          // messenger's to send again.
          page: {
            refused: page.refused,
            lastSeq: page.lastSeq,
            messages: page.messages,
            frames: page.frames,
            live: page.live,
          },
        }
      : {}),
    token,
    expiresAt,
    visitorId,
    // What the widget stores to come back as this visitor; none for a contact (identify again).
    visitorKey: userId ? null : await visitorKeyFor(snapshot.pilot.id, visitorId, secret),
    conversationId,
    identified: userId !== null,
    displayName: snapshot.pilot.settings.appearance.displayName ?? snapshot.pilot.name,
    // What GET /config says, so the messenger needs no request of its own for its colours.
    appearance: snapshot.pilot.settings.appearance,
  });
});

/**
 * The page view riding a new session. The session is what the messenger cannot start without,
 * the page view is not: when the conversation throws or its beacon budget is spent, the session
 * is answered without `page`, and the messenger sends its frames again by itself.
 */
async function firstPage(
  env: AppEnv,
  conversationId: string,
  frames: ClientFrame[],
  locale: string | undefined,
  identity: SocketAttachment,
): Promise<BeaconPage | null> {
  try {
    const answer = await env.CONVERSATION.get(
      env.CONVERSATION.idFromName(conversationId),
    ).receiveFrames(identity, frames, locale);
    return answer.limited ? null : answer;
  } catch (error) {
    console.error('session page view failed', { conversationId, error });
    return null;
  }
}

widgetRoutes.get('/conversations/:id/socket', async (c) => {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, ErrorCode.invalidInput, 'Expected a WebSocket upgrade');
  }
  // The messenger offers its token as a subprotocol ("edgepilot.v1, <token>"), so it never sits
  // in a URL (URLs end up in logs); `?token=` stays for other clients.
  const offered = (c.req.header('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
  const fromProtocol = offered[0] === SOCKET_PROTOCOL ? offered[1] : undefined;
  const token = fromProtocol ?? c.req.query('token') ?? '';
  const claims = await verifyVisitorToken(token, sessionSecret(c.env));
  if (!claims || claims.cid !== c.req.param('id')) {
    throw new ApiError(401, ErrorCode.unauthorized, 'Invalid or expired visitor token');
  }
  const stub = c.env.CONVERSATION.get(c.env.CONVERSATION.idFromName(claims.cid));
  const headers = new Headers(c.req.raw.headers);
  headers.set('x-visitor-id', claims.sub);
  headers.set('x-pilot-key', claims.pid);
  headers.set('x-conversation-id', claims.cid);
  // Set only for an accepted identify; the client can never set it (headers are rebuilt here).
  if (claims.uid) headers.set('x-user-id', claims.uid);
  else headers.delete('x-user-id');
  headers.delete('sec-websocket-protocol');
  const response = await stub.fetch(new Request(c.req.raw.url, { headers }));
  if (fromProtocol === undefined || !response.webSocket) return response;
  // A browser that offered subprotocols drops a socket whose server picks none.
  return new Response(null, {
    status: 101,
    webSocket: response.webSocket,
    headers: { 'sec-websocket-protocol': SOCKET_PROTOCOL },
  });
});

widgetRoutes.post('/:pilotKey/events', async (c) => {
  await pilotSnapshot(c.env, c.req.param('pilotKey'));
  const body = await parseJsonBody(c, beaconBodySchema);
  const claims = await verifyVisitorToken(body.token, sessionSecret(c.env));
  if (!claims || claims.pid !== c.req.param('pilotKey')) {
    throw new ApiError(401, ErrorCode.unauthorized, 'Invalid or expired visitor token');
  }
  const stub = c.env.CONVERSATION.get(c.env.CONVERSATION.idFromName(claims.cid));
  const answer = await stub.receiveFrames(
    {
      visitorId: claims.sub,
      pilotKey: claims.pid,
      conversationId: claims.cid,
      userId: claims.uid ?? null,
    },
    body.frames,
    body.locale,
  );
  if (answer.limited) {
    // The conversation's beacon budget: nothing was read, so the whole batch is the client's to
    // send again (applied frames are deduplicated by id).
    setRetryAfter(c, answer.retryAfterMs);
    throw new ApiError(
      429,
      ErrorCode.rateLimited,
      `Too many requests for this conversation; retry in ${answer.retryAfterMs} ms`,
    );
  }
  const { refused, retryAfterMs, lastSeq, messages, frames, live } = answer;
  if (refused.length > 0) {
    // The conversation's token bucket refused these frames (nothing of them stored); resending
    // the whole batch later is safe because applied frames are deduplicated by id.
    setRetryAfter(c, retryAfterMs);
    throw new ApiError(
      429,
      ErrorCode.rateLimited,
      `Too many frames; ${refused.length} refused, retry in ${retryAfterMs} ms`,
      refused.map((index) => ({ path: `frames.${index}`, message: 'rate limited' })),
    );
  }
  // What a socket would have said (the messenger opens one only when there is something to
  // receive): the newest messages, the banners and redirects, and `live` (more may come without
  // the visitor: ConversationRuntime.tail's rule).
  return c.json({ accepted: body.frames.length, lastSeq, messages, frames, live }, 202);
});

/** `retry-after` in whole seconds (at least 1) for a refusal that names its wait in ms. */
function setRetryAfter(c: Context, retryAfterMs: number): void {
  c.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
}
