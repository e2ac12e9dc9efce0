/**
 * The flow format (SPEC 3.5): the JSON admins write, import and export.
 * Pieces live in triggers.ts, settings.ts, nodes.ts and conditions.ts; this file assembles them.
 * Cross-node rules (ports, reachability, variables, regexes) are checked by validate.ts.
 */
import { z } from 'zod';
import { nodeIdSchema, nodeSchema } from './nodes.ts';
import { settingsSchema } from './settings.ts';
import { triggerSchema } from './triggers.ts';

export * from '../expr/condition-schema.ts';
export * from './nodes.ts';
export * from './ports.ts';
export * from './settings.ts';
export * from './triggers.ts';

export const FLOW_SCHEMA_VERSION = 1;
/** The most steps one flow may have. */
export const MAX_FLOW_NODES = 2000;

export const VARIABLE_TYPES = ['text', 'number', 'boolean', 'date', 'datetime', 'list'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** A Flow Manager variable (`variable.<name>`), local to one run. */
export const variableSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  type: z.enum(VARIABLE_TYPES).default('text'),
  default: z
    .union([
      z.string().max(4000),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.union([z.string(), z.number(), z.boolean()])).max(500),
    ])
    .optional(),
  description: z.string().max(500).optional(),
});
export type FlowVariable = z.infer<typeof variableSchema>;

export const flowSchema = z.object({
  schemaVersion: z.literal(FLOW_SCHEMA_VERSION),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  pilotId: z.string().min(1),
  /** Lowest number wins when several flows match one trigger. */
  priority: z.number().int().min(0).max(10_000).default(100),
  trigger: triggerSchema,
  /** Optional; `resolveSettings(flow.settings)` gives every default. */
  settings: settingsSchema.optional(),
  variables: z.array(variableSchema).max(200).default([]),
  start: nodeIdSchema,
  nodes: z.array(nodeSchema).min(1).max(MAX_FLOW_NODES),
});
export type Flow = z.infer<typeof flowSchema>;
/** What an admin may write (defaults not yet applied). */
export type FlowInput = z.input<typeof flowSchema>;
