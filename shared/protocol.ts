/**
 * The widget <-> ConversationObject WebSocket protocol (SPEC 3.3). Versioned JSON frames,
 * validated on both sides. Written with zod/mini so the widget bundle stays small.
 *
 * Heartbeats are the raw text frames "ping" -> "pong", answered by the runtime's
 * auto-response without waking a hibernated object.
 */
import * as z from 'zod/mini';

export const PROTOCOL_VERSION = 1;
export const HEARTBEAT_PING = 'ping';
export const HEARTBEAT_PONG = 'pong';

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const pageInfoSchema = z.object({
  url: z.string().check(z.maxLength(2048)),
  title: z.optional(z.string().check(z.maxLength(512))),
  referrer: z.optional(z.string().check(z.maxLength(2048))),
});
export type PageInfo = z.infer<typeof pageInfoSchema>;

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(1),
    type: z.literal('hello'),
    id,
    /** Highest server sequence number the client has seen; 0 for none. */
    lastSeq: z.number().check(z.int(), z.gte(0)),
    locale: z.optional(z.string().check(z.maxLength(35))),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal('message'),
    id,
    text: z.string().check(z.minLength(1), z.maxLength(4000)),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal('choice'),
    id,
    /** The server message whose choice was picked. */
    seq: z.number().check(z.int(), z.gte(1)),
    value: z.string().check(z.maxLength(200)),
  }),
  z.object({ v: z.literal(1), type: z.literal('page_view'), id, page: pageInfoSchema }),
  z.object({
    v: z.literal(1),
    type: z.literal('event'),
    id,
    name: z.string().check(z.minLength(1), z.maxLength(100)),
    props: z.optional(z.record(z.string(), z.unknown())),
  }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const authorSchema = z.enum(['visitor', 'pilot', 'agent', 'system']);
export type Author = z.infer<typeof authorSchema>;

export const choiceSchema = z.object({ label: z.string(), value: z.string() });
export type Choice = z.infer<typeof choiceSchema>;

export const chatMessageSchema = z.object({
  seq: z.number(),
  author: authorSchema,
  text: z.string(),
  at: z.number(),
  /** Buttons offered with this message (ask_question with buttons). */
  choices: z.optional(z.array(choiceSchema)),
  /** The input kind the pilot waits for after this message, if any. */
  input: z.optional(z.string()),
  /** Client frame id that produced this message (visitor messages only). */
  clientId: z.optional(z.string()),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(1),
    type: z.literal('welcome'),
    conversationId: z.string(),
    lastSeq: z.number(),
  }),
  z.object({ v: z.literal(1), type: z.literal('message'), message: chatMessageSchema }),
  /** The client frame `id` was stored (or was a duplicate and is ignored). */
  z.object({ v: z.literal(1), type: z.literal('ack'), id: z.string() }),
  z.object({
    v: z.literal(1),
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    id: z.optional(z.string()),
  }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/** Parses a client frame from raw text; returns null for anything invalid. */
export function parseClientFrame(raw: string): ClientFrame | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = clientFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Parses a server frame from raw text; returns null for anything invalid. */
export function parseServerFrame(raw: string): ServerFrame | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = serverFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
