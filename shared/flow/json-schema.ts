/**
 * The flow format as JSON Schema (draft 2020-12), generated from the zod schemas so editors can
 * validate flow files. Served at `GET /v1/admin/schema/flow.json`. Cross-node rules (ports,
 * reachability, variables, regex safety) are only checked by `validateFlow`.
 */
import { z } from 'zod';
import { conditionSchema } from '../expr/condition-schema.ts';
import { flowSchema } from './schema.ts';

/** Names for the shared definitions (`$defs`) instead of zod's generated `__schema0`. */
const names = z.registry<{ id: string }>();
names.add(conditionSchema, { id: 'FlowCondition' });

let cached: Record<string, unknown> | null = null;

export function flowJsonSchema(): Record<string, unknown> {
  if (!cached) {
    // `io: 'input'`: what a file may contain (fields with defaults are optional).
    const generated = z.toJSONSchema(flowSchema, {
      io: 'input',
      unrepresentable: 'any',
      metadata: names,
    });
    cached = {
      ...generated,
      $id: 'https://edgepilot.dev/schema/flow.json',
      title: 'edgepilot flow',
    };
  }
  return cached;
}
