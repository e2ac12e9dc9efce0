/**
 * Run, step, conversation and unanswered-question events: what ConversationObjects send
 * through the EVENTS queue; the consumer batch-writes the first three to D1 and hands the last
 * to the pilot's object. Every event has a unique `id` (the consumer upserts by
 * it) and a per-conversation `seq` (an older event never overwrites a newer one).
 */
import { z } from 'zod';

const base = { id: z.string().min(1).max(200), seq: z.number().int(), at: z.number() };

export const runEventSchema = z.object({
  ...base,
  kind: z.literal('run'),
  workspaceId: z.string(),
  pilotId: z.string(),
  conversationId: z.string(),
  runId: z.string(),
  flowId: z.string(),
  version: z.number().int(),
  subject: z.string(),
  status: z.enum(['waiting', 'completed', 'failed', 'cancelled']),
  nodeId: z.string().nullable(),
  error: z.string().nullable(),
  handedOver: z.boolean(),
  triggeredAt: z.number(),
  startedAt: z.number().nullable(),
});
export type RunEvent = z.infer<typeof runEventSchema>;

export const stepEventSchema = z.object({
  ...base,
  kind: z.literal('step'),
  runId: z.string(),
  flowId: z.string(),
  nodeId: z.string(),
  nodeType: z.string(),
  version: z.number().int(),
  status: z.string(),
  port: z.string().nullable(),
  choice: z.string().nullable(),
  /** A rating question's score; absent from events queued before ratings existed. */
  rating: z.number().nullable().optional(),
  error: z.string().nullable(),
  durationMs: z.number(),
});
export type StepEvent = z.infer<typeof stepEventSchema>;

/** The conversation as the admin list and the live view show it. */
export const conversationEventSchema = z.object({
  ...base,
  kind: z.literal('conversation'),
  workspaceId: z.string(),
  pilotId: z.string(),
  conversationId: z.string(),
  visitorId: z.string(),
  userId: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  mode: z.enum(['pilot', 'agent']),
  assignee: z.string().nullable(),
  pageUrl: z.string().nullable(),
  lastMessage: z.string().nullable(),
  lastMessageAt: z.number().nullable(),
  createdAt: z.number(),
  /** The active run, if any (live view: flow, node, waiting since). */
  run: z
    .object({
      runId: z.string(),
      flowId: z.string(),
      version: z.number(),
      nodeId: z.string().nullable(),
      waitingSince: z.number().nullable(),
    })
    .nullable(),
});
export type ConversationEvent = z.infer<typeof conversationEventSchema>;

/**
 * A question the pilot's knowledge could not answer: for the pilot's unanswered list (the
 * admin's to-do list). It rides the queue with the turn's other events, so the list costs the
 * visitor's turn nothing and a busy pilot's object one call per batch, not one per question.
 */
export const unansweredEventSchema = z.object({
  ...base,
  kind: z.literal('unanswered'),
  pilotId: z.string(),
  conversationId: z.string(),
  question: z.string().max(2000),
});
export type UnansweredEvent = z.infer<typeof unansweredEventSchema>;

export const runtimeEventSchema = z.discriminatedUnion('kind', [
  runEventSchema,
  stepEventSchema,
  conversationEventSchema,
  unansweredEventSchema,
]);
export type RuntimeEvent = z.infer<typeof runtimeEventSchema>;

/** One queue message: the events of one turn. */
export const eventsMessageSchema = z.object({
  v: z.literal(1),
  events: z.array(runtimeEventSchema),
});
export type EventsMessage = z.infer<typeof eventsMessageSchema>;
