/** Flow triggers (SPEC 3.5): exactly one per flow. */
import { z } from 'zod';
import { conditionSchema } from '../expr/condition-schema.ts';

export const URL_OPS = [
  'any',
  'is',
  'is_not',
  'starts_with',
  'ends_with',
  'contains',
  'not_contains',
  'matches',
] as const;

export const urlRuleSchema = z.object({
  op: z.enum(URL_OPS),
  /** For `matches`, a regular expression (checked for catastrophic backtracking). */
  value: z.string().max(2048).default(''),
});
export type UrlRule = z.infer<typeof urlRuleSchema>;

const utmValue = z.string().max(200).optional();
/** Each given UTM parameter must equal (case-insensitive) the page's parameter. */
export const utmSchema = z.object({
  source: utmValue,
  medium: utmValue,
  campaign: utmValue,
  term: utmValue,
  content: utmValue,
});

export const pageVisitedTrigger = z.object({
  type: z.literal('page_visited'),
  /** OR-ed; an empty list matches every page. */
  urls: z.array(urlRuleSchema).max(50).default([]),
  utm: utmSchema.optional(),
  /** `visitors` = not identified, `contacts` = identified. Default anyone. */
  audience: z.enum(['anyone', 'visitors', 'contacts']).optional(),
  conditions: conditionSchema.optional(),
});

export const eventTrigger = z.object({
  type: z.literal('event'),
  name: z.string().min(1).max(100),
  /** Usually over `event.*` (the event's name and props). */
  conditions: conditionSchema.optional(),
});

export const newConversationTrigger = z.object({
  type: z.literal('new_conversation'),
  conditions: conditionSchema.optional(),
});

export const intentDetectedTrigger = z.object({
  type: z.literal('intent_detected'),
  intents: z.array(z.string().min(1).max(100)).min(1).max(50),
  minConfidence: z.number().min(0).max(1).default(0.5),
  conditions: conditionSchema.optional(),
});

export const triggerSchema = z.discriminatedUnion('type', [
  pageVisitedTrigger,
  eventTrigger,
  newConversationTrigger,
  intentDetectedTrigger,
]);
export type Trigger = z.infer<typeof triggerSchema>;
export type TriggerType = Trigger['type'];
