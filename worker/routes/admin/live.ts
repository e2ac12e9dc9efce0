/**
 * Live view: active conversations of a pilot, and a WebSocket streaming their changes. The
 * socket takes the admin key in the header (API clients) or a ticket (browsers, which cannot
 * set that header on a WebSocket: worker/live/live-tickets.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ErrorCode } from '../../../shared/errors.ts';
import { randomToken, sha256Hex } from '../../auth/hash.ts';
import { limitAuthFailure } from '../../auth/rate-limit.ts';
import { bootstrapAdminKey } from '../../env.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { type AdminEnv, adminRouter, errors, json, jsonBody } from '../../http/openapi.ts';
import { LIVE_KEY_HEADER } from '../../live/live-limits.ts';
import { liveConversationSchema } from '../../live/live-store.ts';
import { LIVE_TICKET_TTL_MS, MAX_LIVE_TICKETS_PER_KEY } from '../../live/live-tickets.ts';
import { findLiveKey } from '../../store/api-keys.ts';
import { getPilotById, getWorkspacePilot } from '../../store/pilots.ts';

// Strict like every list query: an unknown parameter is a 400 naming it.
const liveQuery = z.strictObject({ pilotId: z.string().min(1).max(100) });
const socketQuery = liveQuery
  .extend({
    ticket: z.string().max(200).optional().openapi({
      description:
        'A ticket from `POST /live/tickets`, for clients that cannot send the Authorization header (browsers)',
    }),
  })
  .strict();

const ticketSchema = z
  .object({
    ticket: z.string(),
    expiresAt: z.number().int(),
    socketPath: z.string().openapi({ description: 'Where to open the WebSocket with it' }),
  })
  .openapi('LiveTicket');

export const liveRoutes = adminRouter();

liveRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/live',
    operationId: 'listLiveConversations',
    tags: ['Live view'],
    summary: 'Active conversations: visitor, current page, flow, node, waiting since, last message',
    request: { query: liveQuery },
    responses: {
      200: json(z.object({ items: z.array(liveConversationSchema.openapi('LiveConversation')) })),
      ...errors(404),
    },
  }),
  async (c) => {
    const { pilotId } = c.req.valid('query');
    const pilot = await getWorkspacePilot(c.env, c.get('principal').workspaceId, pilotId);
    if (!pilot) throw notFound('Pilot');
    const items = await c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id)).liveList(200);
    return c.json({ items }, 200);
  },
);

liveRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/live/socket',
    operationId: 'openLiveSocket',
    tags: ['Live view'],
    summary:
      'WebSocket: a `snapshot` frame, then `changes` frames as conversations move (send "ping" for "pong")',
    request: { query: socketQuery },
    responses: { 101: { description: 'Switching protocols' }, ...errors(404, 426) },
  }),
  async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new ApiError(426, ErrorCode.invalidInput, 'Expected a WebSocket upgrade');
    const { pilotId, ticket } = c.req.valid('query');
    // No principal: the auth middleware let a ticketed request through for us to redeem.
    const principal = c.get('principal') as AdminPrincipalOrNone;
    const { workspaceId, keyId } = principal ?? (await redeemTicket(c, pilotId, ticket ?? ''));
    const pilot = await getWorkspacePilot(c.env, workspaceId, pilotId);
    if (!pilot) throw notFound('Pilot');
    const stub = c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id));
    const headers = new Headers(c.req.raw.headers);
    // The key that opened the socket: revoking it closes the socket (PilotObject).
    headers.set(LIVE_KEY_HEADER, keyId);
    return stub.fetch(new Request(c.req.raw.url, { headers }));
  },
);

type AdminPrincipalOrNone = AdminEnv['Variables']['principal'] | undefined;

liveRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/live/tickets',
    operationId: 'createLiveTicket',
    tags: ['Live view'],
    summary:
      'A ticket for the live socket: single use, valid 30 s, bound to this key and pilot (browsers cannot send the Authorization header on a WebSocket)',
    request: {
      body: jsonBody(z.object({ pilotId: z.string().min(1).max(100) }).strict()),
    },
    responses: { 201: json(ticketSchema, 'Created'), ...errors(404) },
  }),
  async (c) => {
    const { pilotId } = c.req.valid('json');
    const principal = c.get('principal');
    const pilot = await getWorkspacePilot(c.env, principal.workspaceId, pilotId);
    if (!pilot) throw notFound('Pilot');
    const ticket = randomToken(32);
    const minted = await c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id)).mintLiveTicket(
      await sha256Hex(ticket),
      { workspaceId: principal.workspaceId, keyId: principal.keyId },
    );
    if (minted === 'key_full')
      throw new ApiError(
        429,
        ErrorCode.rateLimited,
        `At most ${MAX_LIVE_TICKETS_PER_KEY} open live tickets per key on a pilot: open the socket with one, or wait ${LIVE_TICKET_TTL_MS / 1000} s`,
      );
    if (minted === 'pilot_full')
      throw new ApiError(429, ErrorCode.rateLimited, 'Too many open live tickets for this pilot');
    const socketPath = `/v1/admin/live/socket?pilotId=${encodeURIComponent(pilot.id)}`;
    return c.json({ ticket, expiresAt: Date.now() + LIVE_TICKET_TTL_MS, socketPath }, 201);
  },
);

/**
 * The workspace of a ticketed socket, or a 401: unknown, used or forged (`unauthorized`),
 * expired (`token_expired`), or its key revoked since. Each refusal counts against the
 * client's budget for requests without a valid key (as a wrong key does), so a client that
 * keeps failing gets 429s; tickets carry 256 random bits, so guessing is hopeless anyway.
 */
async function redeemTicket(c: Context<AdminEnv>, pilotId: string, ticket: string) {
  const refused = async (code: ErrorCode, message: string) => {
    await limitAuthFailure(c.env, c.req.header('cf-connecting-ip') ?? 'unknown');
    return new ApiError(401, code, message);
  };
  if (!/^[A-Za-z0-9_-]{40,64}$/.test(ticket))
    throw await refused(ErrorCode.unauthorized, 'Invalid live ticket');
  // Tickets live in their pilot's object: a made-up pilot id must not create one (an
  // anonymous client chooses it), so the pilot is looked up first; refused alike.
  if (!(await getPilotById(c.env, pilotId)))
    throw await refused(ErrorCode.unauthorized, 'Unknown or already used live ticket');
  const stub = c.env.PILOT.get(c.env.PILOT.idFromName(pilotId));
  const redeemed = await stub.redeemLiveTicket(await sha256Hex(ticket));
  if (!redeemed.ok)
    throw redeemed.reason === 'expired'
      ? await refused(ErrorCode.tokenExpired, 'Live ticket expired: ask for a new one')
      : await refused(ErrorCode.unauthorized, 'Unknown or already used live ticket');
  const { workspaceId, keyId } = redeemed.grant;
  const keyLive =
    keyId === 'bootstrap'
      ? bootstrapAdminKey(c.env) !== null
      : (await findLiveKey(c.env, workspaceId, keyId))?.scopes.includes('read') === true;
  if (!keyLive) throw await refused(ErrorCode.unauthorized, 'The key of this ticket was revoked');
  return { workspaceId, keyId };
}
