/**
 * `/conversations`: the list (D1, fed by the events queue), one conversation with its
 * transcript (its Durable Object), and the human-agent actions: reply (ends the running flow,
 * the pilot stays quiet), release (back to the pilot), close.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { richPartsShape } from '../../../shared/engine/simulate-schema.ts';
import { ErrorCode } from '../../../shared/errors.ts';
import { MAX_TRANSCRIPT_CHARS, MAX_TRANSCRIPT_MESSAGES } from '../../conversation/storage.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { adminRouter, errors, idParam, json, jsonBody, listOf } from '../../http/openapi.ts';
import { decodeCursor, paginationQuery, queryInteger } from '../../http/pagination.ts';
import { type ConversationRow, listConversations } from '../../store/conversations.ts';
import { userExists } from '../../store/presence.ts';

const messageSchema = z
  .object({
    seq: z.number().int(),
    author: z.enum(['visitor', 'pilot', 'agent', 'system']),
    text: z.string(),
    at: z.number().int(),
    choices: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
    input: z.string().optional(),
    clientId: z.string().optional(),
    // A pilot message's rich parts, as the visitor saw them.
    ...richPartsShape,
  })
  .openapi('Message');

const conversationSchema = z
  .object({
    id: z.string(),
    pilotId: z.string(),
    visitorId: z.string(),
    userId: z.string().nullable(),
    status: z.enum(['open', 'closed']),
    mode: z.enum(['pilot', 'agent']).openapi({ description: '`agent`: the pilot stays quiet' }),
    assignee: z.string().nullable(),
    pageUrl: z.string().nullable(),
    lastMessage: z.string().nullable().optional(),
    lastMessageAt: z.number().nullable(),
    createdAt: z.number(),
  })
  .openapi('Conversation');

const detailSchema = conversationSchema
  .extend({
    run: z
      .object({
        runId: z.string(),
        flowId: z.string(),
        version: z.number(),
        nodeId: z.string().nullable(),
        waitingSince: z.number().nullable(),
      })
      .nullable(),
    messages: z.array(messageSchema).openapi({
      description: `The newest ${MAX_TRANSCRIPT_MESSAGES.toLocaleString('en')} messages at most, of at most ${MAX_TRANSCRIPT_CHARS.toLocaleString('en')} characters in all, oldest first: past either, the conversation's first messages are left out`,
    }),
  })
  .openapi('ConversationDetail');

const idParams = z.object({ conversationId: idParam('conversationId') });

function view(row: ConversationRow) {
  return {
    id: row.id,
    pilotId: row.pilot_id,
    visitorId: row.visitor_id,
    userId: row.user_id,
    status: row.status,
    mode: row.mode,
    assignee: row.assignee,
    pageUrl: row.page_url,
    lastMessage: row.last_message,
    lastMessageAt: row.last_message_at,
    createdAt: row.created_at,
  };
}

/**
 * The conversation's object, when it belongs to the caller's workspace. Not gated on the D1
 * index: the console opens a conversation from the live view (pushed within milliseconds)
 * before the queue has indexed it. A made-up id costs nothing lasting: the object makes no
 * tables until a visitor's first write, `describe` answers null without making them, and an
 * object that never stored anything is not kept.
 */
async function conversation(env: AppEnv, workspaceId: string, id: string) {
  const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(id));
  const described = await stub.describe();
  if (!described || described.workspaceId !== workspaceId) throw notFound('Conversation');
  return { stub, described };
}

export const conversationRoutes = adminRouter();

conversationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/conversations',
    operationId: 'listConversations',
    tags: ['Conversations'],
    summary: 'Conversations, most recently active first',
    request: {
      query: paginationQuery.extend({
        pilotId: z.string().max(100).optional(),
        status: z.enum(['open', 'closed']).optional(),
        mode: z.enum(['pilot', 'agent']).optional().openapi({
          description: '`agent`: handed over to a person (however many newer ones the pilot has)',
        }),
        assignee: z
          .string()
          .max(200)
          .optional()
          .openapi({ description: 'Assigned to this member: `user:<id>` or `team:<id>`' }),
      }),
    },
    responses: { 200: json(listOf(conversationSchema, 'ConversationList')), ...errors() },
  }),
  async (c) => {
    const { limit, cursor, pilotId, status, mode, assignee } = c.req.valid('query');
    const page = await listConversations(
      c.env,
      c.get('principal').workspaceId,
      { pilotId, status, mode, assignee },
      { cursor: decodeCursor(cursor), limit },
      view,
    );
    return c.json(page, 200);
  },
);

conversationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/conversations/{conversationId}',
    operationId: 'getConversation',
    tags: ['Conversations'],
    summary: 'One conversation with its transcript',
    description: `The transcript holds the newest ${MAX_TRANSCRIPT_MESSAGES.toLocaleString('en')} messages (and ${MAX_TRANSCRIPT_CHARS.toLocaleString('en')} characters) at most, in the order they were sent. With \`after\`, only the messages whose \`seq\` is greater (a live view asks for what it has not drawn yet; when the first one returned is not \`after + 1\`, more arrived than one answer holds and the view should read the transcript again without \`after\`).`,
    request: {
      params: idParams,
      query: z.strictObject({
        after: queryInteger(0).openapi({
          description: 'Only messages with a greater `seq` (the last one the caller has)',
        }),
      }),
    },
    responses: { 200: json(detailSchema), ...errors(404) },
  }),
  async (c) => {
    const { stub, described } = await conversation(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').conversationId,
    );
    const { after } = c.req.valid('query');
    const messages = await stub.transcript(after ?? 0);
    const { workspaceId: _w, ...rest } = described;
    // With `after` and nothing new, the last message is one the caller has: left out.
    const last = messages.at(-1)?.text ?? (after === undefined ? null : undefined);
    return c.json({ ...rest, lastMessage: last, messages }, 200);
  },
);

conversationRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/conversations/{conversationId}/messages',
    operationId: 'sendAgentMessage',
    tags: ['Conversations'],
    summary: 'Agent reply: ends the running flow; the pilot stays quiet until released',
    request: {
      params: idParams,
      body: jsonBody(
        z
          .object({
            text: z.string().trim().min(1).max(4000),
            userId: z
              .string()
              .max(100)
              .optional()
              .openapi({ description: 'A user of the workspace: becomes the assignee' }),
          })
          .strict(),
      ),
    },
    responses: { 201: json(messageSchema, 'Created'), ...errors(404) },
  }),
  async (c) => {
    const workspaceId = c.get('principal').workspaceId;
    const body = c.req.valid('json');
    const { stub } = await conversation(c.env, workspaceId, c.req.valid('param').conversationId);
    // The assignee is shown in the inbox and routes later messages: only a real user's id.
    if (body.userId !== undefined && !(await userExists(c.env, workspaceId, body.userId)))
      throw new ApiError(400, ErrorCode.invalidInput, 'Unknown user', [
        { path: 'userId', message: 'Not a user of this workspace' },
      ]);
    const message = await stub.agentReply(workspaceId, body.text, body.userId ?? null);
    // Erased since the check above: nothing was written.
    if (!message) throw notFound('Conversation');
    return c.json(message, 201);
  },
);

for (const action of ['release', 'close'] as const) {
  conversationRoutes.openapi(
    createRoute({
      method: 'post',
      path: `/conversations/{conversationId}/${action}`,
      operationId: `${action}Conversation`,
      tags: ['Conversations'],
      summary:
        action === 'release'
          ? 'Hand the conversation back to the AI pilot'
          : 'Close the conversation (the transcript stays)',
      request: { params: idParams },
      responses: { 200: json(conversationSchema), ...errors(404) },
    }),
    async (c) => {
      const workspaceId = c.get('principal').workspaceId;
      const { stub } = await conversation(c.env, workspaceId, c.req.valid('param').conversationId);
      const described =
        action === 'release' ? await stub.release(workspaceId) : await stub.close(workspaceId);
      if (!described) throw notFound('Conversation');
      const { workspaceId: _w, run: _r, ...rest } = described;
      return c.json(rest, 200);
    },
  );
}
