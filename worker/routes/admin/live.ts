/** Live view: active conversations of a pilot, and a WebSocket streaming their changes. */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { adminRouter, errors, json } from '../../http/openapi.ts';
import { LIVE_KEY_HEADER } from '../../live/live-limits.ts';
import { liveConversationSchema } from '../../live/live-store.ts';
import { getWorkspacePilot } from '../../store/pilots.ts';

// Strict like every list query: an unknown parameter is a 400 naming it.
const liveQuery = z.strictObject({ pilotId: z.string().min(1).max(100) });

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
    request: { query: liveQuery },
    responses: { 101: { description: 'Switching protocols' }, ...errors(404, 426) },
  }),
  async (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new ApiError(426, ErrorCode.invalidInput, 'Expected a WebSocket upgrade');
    const { pilotId } = c.req.valid('query');
    const pilot = await getWorkspacePilot(c.env, c.get('principal').workspaceId, pilotId);
    if (!pilot) throw notFound('Pilot');
    const stub = c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id));
    const headers = new Headers(c.req.raw.headers);
    // The key that opened the socket: revoking it closes the socket (PilotObject).
    headers.set(LIVE_KEY_HEADER, c.get('principal').keyId);
    return stub.fetch(new Request(c.req.raw.url, { headers }));
  },
);
