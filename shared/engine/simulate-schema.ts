/**
 * Request and response of `POST /v1/admin/flows/:flowId/simulate` (issue 3). Extend, don't rename.
 */
import { z } from 'zod';
import { officeHoursSchema } from '../expr/office-hours.ts';

const props = z.record(z.string(), z.unknown());

/**
 * A pilot message's rich parts (send_message image, link buttons, cards) as API responses show
 * them: in simulate transcripts and in conversation transcripts.
 */
export const richPartsShape = {
  image: z.object({ url: z.string(), alt: z.string() }).optional(),
  links: z
    .array(z.object({ label: z.string(), url: z.string(), newTab: z.boolean().optional() }))
    .optional(),
  cards: z
    .array(
      z.object({
        title: z.string(),
        text: z.string().optional(),
        imageUrl: z.string().optional(),
        url: z.string().optional(),
      }),
    )
    .optional(),
  /** A post node's size, large title and snippet preview (image and CTA are `image`/`links`). */
  post: z
    .object({
      size: z.enum(['small', 'large']),
      title: z.string().optional(),
      preview: z.string().optional(),
    })
    .optional(),
};

export const simulateEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('page_view'),
    url: z.string().min(1).max(2048),
    title: z.string().max(512).optional(),
    referrer: z.string().max(2048).optional(),
  }),
  z.object({
    type: z.literal('message'),
    text: z.string().min(1).max(4000),
    /** What intent detection would say about this message (drives `intent_detected`). */
    intent: z.object({ name: z.string().min(1), confidence: z.number().min(0).max(1) }).optional(),
    /** Entities extraction would find in this message (`entity.*` of an intent-started run). */
    entities: props.optional(),
  }),
  /** Picks the button with this value (or label) of the question the run waits on. */
  z.object({ type: z.literal('choice'), value: z.string().min(1).max(200) }),
  /** Sends these values to the capture form the run waits on (field name -> typed text). */
  z.object({
    type: z.literal('form'),
    values: z.record(z.string().max(64), z.string().max(1000)),
  }),
  z.object({ type: z.literal('event'), name: z.string().min(1).max(100), props: props.optional() }),
  z.object({ type: z.literal('new_conversation') }),
]);
export type SimulateEvent = z.infer<typeof simulateEventSchema>;

/** A stubbed result for an I/O node; missing fields get a successful default. */
export const stubResultSchema = z.object({
  ok: z.boolean().optional(),
  /** http_request: response status (ok = 2xx unless `ok` says otherwise). */
  status: z.number().int().min(0).max(999).optional(),
  /** http_request: response body (read by `saveResponse`). */
  body: z.unknown().optional(),
  /** ai_answer: outcome and answer text. */
  outcome: z.enum(['answered', 'no_answer', 'handover_requested']).optional(),
  text: z.string().max(4000).optional(),
  /** assign: the user that got the conversation. */
  userId: z.string().optional(),
  error: z.string().max(500).optional(),
});
export type StubResult = z.infer<typeof stubResultSchema>;

export const simulateRequestSchema = z.object({
  /** Version to run; absent = the draft. */
  version: z.number().int().min(1).optional(),
  events: z.array(simulateEventSchema).max(200).default([]),
  context: z
    .object({
      /** ISO instant; default 2026-01-01T12:00:00Z so runs are reproducible. */
      now: z.iso.datetime({ offset: true }).optional(),
      contact: props.optional(),
      /** The contact's company (`company.*`). */
      company: props.optional(),
      visitor: props.optional(),
      conversation: props.optional(),
      /** Pilot globals (`pilot.*`). */
      pilot: props.optional(),
      locale: z.string().max(35).optional(),
      agentsAvailable: z.boolean().optional(),
      agents: z
        .array(
          z.object({
            id: z.string().min(1),
            available: z.boolean(),
            teams: z.array(z.string()).optional(),
          }),
        )
        .max(500)
        .optional(),
      conversationId: z.string().min(1).max(200).optional(),
      timezone: z.string().max(100).optional(),
      officeHours: officeHoursSchema.optional(),
      /** Execution-settings facts: has this visitor run the flow before, and when. */
      alreadyRan: z.boolean().optional(),
      lastRunAt: z.iso.datetime({ offset: true }).optional(),
      /** Node id -> stubbed result, or a list used in order when the node runs repeatedly. */
      effectResults: z
        .record(z.string(), z.union([stubResultSchema, z.array(stubResultSchema).max(50)]))
        .optional(),
    })
    .default({}),
});
export type SimulateRequest = z.input<typeof simulateRequestSchema>;
export type ParsedSimulateRequest = z.output<typeof simulateRequestSchema>;

export const simulateResultSchema = z.object({
  status: z.enum(['waiting', 'completed', 'failed', 'cancelled', 'not_triggered']),
  /** Why the flow did not trigger: the trigger or setting rule that failed. */
  reason: z.object({ code: z.string(), message: z.string() }).optional(),
  path: z.array(z.string()),
  transcript: z.array(
    z.object({
      author: z.enum(['pilot', 'visitor']),
      text: z.string(),
      choices: z.array(z.string()).optional(),
      nodeId: z.string().optional(),
      /** A send_message's image, link buttons and cards, as the engine rendered them. */
      ...richPartsShape,
    }),
  ),
  effects: z.array(z.record(z.string(), z.unknown())),
  variables: z.record(z.string(), z.unknown()),
  errors: z.array(
    z.object({ code: z.string(), message: z.string(), nodeId: z.string().optional() }),
  ),
  /**
   * Every step, as the enrollment log would record it; the last step of each engine turn also
   * carries `variables`, the flow variables after that turn.
   */
  log: z.array(z.record(z.string(), z.unknown())),
});
export type SimulateResult = z.infer<typeof simulateResultSchema>;
