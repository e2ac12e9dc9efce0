/**
 * The widget <-> ConversationObject WebSocket protocol (SPEC 3.3). Versioned JSON frames,
 * validated on both sides: the ConversationObject parses client frames with these schemas; the
 * widget imports only the types and checks server frames by hand (widget/transport/
 * server-frame.ts: even zod/mini cost half its bundle budget), and a property test holds that
 * checker to `serverFrameSchema`.
 *
 * Heartbeats are the raw text frames "ping" -> "pong", answered by the runtime's
 * auto-response without waking a hibernated object.
 */
import * as z from 'zod/mini';
import type { ErrorCode } from './errors.ts';
import { shapeWithin } from './expr/size.ts';

/**
 * An event's `props` (`EdgePilot('track', name, props)`) nest at most this deep and hold at most
 * this many values: a frame thousands of levels deep passed the size limit and overflowed the
 * stack of the object call that carries it (a 500 on the public beacon route).
 */
export const MAX_PROPS_DEPTH = 8;
export const MAX_PROPS_ENTRIES = 500;

export const PROTOCOL_VERSION = 1;
export const HEARTBEAT_PING = 'ping';
export const HEARTBEAT_PONG = 'pong';
/**
 * The largest client frame, in characters of its JSON, on the socket and in a beacon alike (the
 * biggest valid frame is a few KB): a larger one is refused before it reaches a conversation.
 */
export const MAX_FRAME_CHARS = 64 * 1024;

/** The longest value of one capture-form field. */
export const MAX_FORM_VALUE_CHARS = 1000;

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const pageInfoSchema = z.object({
  url: z.string().check(z.maxLength(2048)),
  title: z.optional(z.string().check(z.maxLength(512))),
  referrer: z.optional(z.string().check(z.maxLength(2048))),
  /** `utm_*` query parameters of `url` (source, medium, campaign, term, content), if any. */
  utm: z.optional(
    z.partialRecord(
      z.enum(['source', 'medium', 'campaign', 'term', 'content']),
      z.string().check(z.maxLength(200)),
    ),
  ),
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
    /** The client reads `batch` messages: this socket gets each step's frames as one. */
    batch: z.optional(z.boolean()),
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
  /** The values of a capture form (the pilot message `seq` that showed it). */
  z.object({
    v: z.literal(1),
    type: z.literal('form'),
    id,
    seq: z.number().check(z.int(), z.gte(1)),
    values: z.record(
      z.string().check(z.maxLength(64)),
      z.string().check(z.maxLength(MAX_FORM_VALUE_CHARS)),
    ),
  }),
  z.object({ v: z.literal(1), type: z.literal('page_view'), id, page: pageInfoSchema }),
  z.object({
    v: z.literal(1),
    type: z.literal('event'),
    id,
    name: z.string().check(z.minLength(1), z.maxLength(100)),
    props: z.optional(
      z.record(z.string(), z.unknown()).check(
        z.refine((props) => shapeWithin(props, MAX_PROPS_DEPTH, MAX_PROPS_ENTRIES), {
          error: `At most ${MAX_PROPS_DEPTH} levels of nesting and ${MAX_PROPS_ENTRIES} values`,
        }),
      ),
    ),
  }),
  /**
   * `EdgePilot('identify' | 'update', …)`: contact attributes for this conversation. Who the
   * contact is (a verified `userId`) travels in the visitor token, never in this frame.
   */
  z.object({
    v: z.literal(1),
    type: z.literal('identify'),
    id,
    contact: z.object({
      email: z.optional(z.string().check(z.maxLength(320))),
      name: z.optional(z.string().check(z.maxLength(200))),
      phone: z.optional(z.string().check(z.maxLength(50))),
      fields: z.optional(
        z.record(
          z.string().check(z.maxLength(64)),
          z.union([z.string().check(z.maxLength(1000)), z.number(), z.boolean()]),
        ),
      ),
    }),
  }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export const authorSchema = z.enum(['visitor', 'pilot', 'agent', 'system']);
export type Author = z.infer<typeof authorSchema>;

export const choiceSchema = z.object({ label: z.string(), value: z.string() });
export type Choice = z.infer<typeof choiceSchema>;

const richImageSchema = z.object({ url: z.string(), alt: z.string() });
const richLinkSchema = z.object({
  label: z.string(),
  url: z.string(),
  newTab: z.optional(z.boolean()),
});
const richCardSchema = z.object({
  title: z.string(),
  text: z.optional(z.string()),
  imageUrl: z.optional(z.string()),
  url: z.optional(z.string()),
});

/**
 * A post node's message: its size, a large post's title, and for delivery `snippet` the preview
 * shown collapsed until the visitor opens it (image and call to action travel as `image`/`links`).
 */
const postPartSchema = z.object({
  size: z.enum(['small', 'large']),
  title: z.optional(z.string()),
  preview: z.optional(z.string()),
});
export type PostPart = z.infer<typeof postPartSchema>;

/** One field of a capture form (`capture_contact` / `capture_company`). */
export const formSpecSchema = z.object({
  name: z.string(),
  label: z.string(),
  /** text | email | phone | number | date */
  kind: z.string(),
  required: z.optional(z.boolean()),
});
export type FormSpec = z.infer<typeof formSpecSchema>;

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
  /** A send_message node's image, link buttons and cards (the widget follows http(s) URLs only). */
  image: z.optional(richImageSchema),
  links: z.optional(z.array(richLinkSchema)),
  cards: z.optional(z.array(richCardSchema)),
  post: z.optional(postPartSchema),
  /** A capture node's form, shown in place of the composer while it is the last message. */
  form: z.optional(z.array(formSpecSchema)),
  /** Errors of the values last sent, by field name (the server checks every value). */
  errors: z.optional(z.record(z.string(), z.string())),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;
/** The rich parts of a pilot message (and a capture form), as stored next to its text. */
export type RichParts = Pick<ChatMessage, 'image' | 'links' | 'cards' | 'post' | 'form' | 'errors'>;

export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(1),
    type: z.literal('welcome'),
    conversationId: z.string(),
    lastSeq: z.number(),
    /**
     * Set when this hello's replay was cut to one page: the page ends at this sequence number.
     * Until the client says hello again with `lastSeq: pageEnd`, the socket gets no live
     * messages (the next page brings them, in order).
     */
    pageEnd: z.optional(z.number()),
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
  /** The pilot or an agent is typing (`active`) or stopped; the widget shows an indicator. */
  z.object({
    v: z.literal(1),
    type: z.literal('typing'),
    author: z.enum(['pilot', 'agent']),
    active: z.boolean(),
  }),
  /** A flow's `redirect` node: the widget navigates the host page (http(s) URLs only). */
  z.object({ v: z.literal(1), type: z.literal('redirect'), url: z.string(), newTab: z.boolean() }),
  /** A flow's `show_banner` node: a dismissible banner above the launcher/panel. */
  z.object({
    v: z.literal(1),
    type: z.literal('banner'),
    text: z.string(),
    url: z.optional(z.string()),
    style: z.enum(['info', 'success', 'warning']),
  }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;

/**
 * What a socket whose hello said `batch: true` gets when one step of the conversation sends it
 * several frames (a visitor message's ack, the stored message and the reply; a replay page):
 * one WebSocket message `{ v: 1, type: 'batch', frames: [...] }` holding them in order. One
 * message instead of three per visitor message: each costs the runtime, the network and the
 * client a wake-up and a parse. A single frame still goes bare; sockets that did not ask get
 * every frame bare, as before.
 */
export interface BatchFrame {
  v: 1;
  type: 'batch';
  frames: ServerFrame[];
}

/**
 * A batch holds at most this many characters (UTF-16 code units; at most about 768 KB of
 * UTF-8, under the runtime's 1 MiB WebSocket message) of frames: a replay page of long
 * messages is split over several; bounded however large the step's output is.
 */
export const MAX_BATCH_CHARS = 256 * 1024;

/**
 * Packs frames, already encoded as JSON texts, into as few WebSocket messages as fit
 * `maxChars` each, in order (no re-encoding: the texts are joined). A text over `maxChars`
 * goes alone and bare; so does a group of one.
 */
export function packFrames(texts: readonly string[], maxChars = MAX_BATCH_CHARS): string[] {
  const out: string[] = [];
  let group: string[] = [];
  // The envelope's characters, then each text's and its comma.
  let chars = BATCH_OPEN.length + BATCH_CLOSE.length;
  const close = () => {
    if (group.length === 1) out.push(group[0] as string);
    else if (group.length > 1) out.push(BATCH_OPEN + group.join(',') + BATCH_CLOSE);
    group = [];
    chars = BATCH_OPEN.length + BATCH_CLOSE.length;
  };
  for (const text of texts) {
    if (group.length > 0 && chars + text.length + 1 > maxChars) close();
    group.push(text);
    chars += text.length + 1;
  }
  close();
  return out;
}

const BATCH_OPEN = '{"v":1,"type":"batch","frames":[';
const BATCH_CLOSE = ']}';

/** The one builder of error frames; `id` names the client frame refused, when there is one. */
export function errorFrame(code: ErrorCode, message: string, id?: string): ErrorFrame {
  return { v: 1, type: 'error', code, message, ...(id !== undefined ? { id } : {}) };
}

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
