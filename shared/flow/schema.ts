/**
 * The flow format (SPEC 3.5): the JSON admins write, import and export.
 * Walking-skeleton subset; the flow-engine issue extends it to every trigger, node and setting.
 */
import { z } from 'zod';

const nodeId = z.string().min(1).max(64);

export const urlRuleSchema = z.object({
  op: z.enum([
    'any',
    'is',
    'is_not',
    'starts_with',
    'ends_with',
    'contains',
    'not_contains',
    'matches',
  ]),
  value: z.string().max(2048).default(''),
});

export const triggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('page_visited'), urls: z.array(urlRuleSchema).default([]) }),
  z.object({ type: z.literal('event'), name: z.string().min(1) }),
  z.object({ type: z.literal('new_conversation') }),
  z.object({
    type: z.literal('intent_detected'),
    intents: z.array(z.string()).min(1),
    minConfidence: z.number().min(0).max(1).default(0.5),
  }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const variableSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  type: z.enum(['text', 'number', 'boolean', 'date', 'datetime', 'list']).default('text'),
  default: z.unknown().optional(),
});

const sendMessageNode = z.object({
  id: nodeId,
  type: z.literal('send_message'),
  text: z.string().max(4000),
  next: nodeId.optional(),
});

const optionSchema = z.object({
  label: z.string().min(1).max(200),
  value: z.string().min(1).max(200),
  next: nodeId.optional(),
});

const askQuestionNode = z.object({
  id: nodeId,
  type: z.literal('ask_question'),
  text: z.string().max(4000),
  input: z.object({ kind: z.literal('buttons'), options: z.array(optionSchema).min(1).max(20) }),
  saveTo: z.string().optional(),
  next: nodeId.optional(),
});

const endNode = z.object({ id: nodeId, type: z.literal('end') });

export const nodeSchema = z.discriminatedUnion('type', [sendMessageNode, askQuestionNode, endNode]);
export type FlowNode = z.infer<typeof nodeSchema>;

export const flowSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  pilotId: z.string().min(1),
  /** Lowest number wins when several flows match one trigger. */
  priority: z.number().int().min(0).max(10_000).default(100),
  trigger: triggerSchema,
  variables: z.array(variableSchema).default([]),
  start: nodeId,
  nodes: z.array(nodeSchema).min(1).max(2000),
});
export type Flow = z.infer<typeof flowSchema>;
