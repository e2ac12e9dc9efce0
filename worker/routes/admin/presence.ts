/** `PUT /users/:userId/presence`: an agent's availability, read by availability settings. */
import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../http/api-error.ts';
import { adminRouter, errors, idParam, json, jsonBody } from '../../http/openapi.ts';
import { PRESENCE_STATUSES, setPresence, userExists } from '../../store/presence.ts';

const presenceSchema = z
  .object({ userId: z.string(), status: z.enum(PRESENCE_STATUSES), updatedAt: z.number().int() })
  .openapi('Presence');

export const presenceRoutes = adminRouter();

presenceRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/users/{userId}/presence',
    operationId: 'setUserPresence',
    tags: ['People'],
    summary: "Set a user's presence (online users count as available agents)",
    request: {
      params: z.object({ userId: idParam('userId') }),
      body: jsonBody(z.object({ status: z.enum(PRESENCE_STATUSES) }).strict()),
    },
    responses: { 200: json(presenceSchema), ...errors(404) },
  }),
  async (c) => {
    const workspaceId = c.get('principal').workspaceId;
    const { userId } = c.req.valid('param');
    const { status } = c.req.valid('json');
    if (!(await userExists(c.env, workspaceId, userId))) throw notFound('User');
    const now = Date.now();
    await setPresence(c.env, workspaceId, userId, status, now);
    return c.json({ userId, status, updatedAt: now }, 200);
  },
);
