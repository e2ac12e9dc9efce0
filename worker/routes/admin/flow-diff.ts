/**
 * Differences between two flow definitions, for reviews: nodes are compared by id (not by
 * array position, so reordering is not noise) and every changed field is listed by path.
 */
import { z } from '@hono/zod-openapi';
import diff from 'microdiff';
import type { Flow } from '../../../shared/flow/schema.ts';

export const flowDiffSchema = z
  .object({
    from: z.union([z.number().int(), z.literal('draft')]),
    to: z.union([z.number().int(), z.literal('draft')]),
    nodes: z.object({
      added: z.array(z.string()),
      removed: z.array(z.string()),
      changed: z.array(z.string()),
    }),
    changes: z.array(
      z.object({
        type: z.enum(['added', 'removed', 'changed']),
        path: z.string().openapi({ description: 'Dotted; nodes by id: `nodes.<id>.text`' }),
        before: z.unknown().optional(),
        after: z.unknown().optional(),
      }),
    ),
  })
  .openapi('FlowDiff');

const kind = { CREATE: 'added', REMOVE: 'removed', CHANGE: 'changed' } as const;

function keyed(flow: Flow) {
  return { ...flow, nodes: Object.fromEntries(flow.nodes.map((node) => [node.id, node])) };
}

export function diffFlows(before: Flow, after: Flow) {
  const changes = diff(keyed(before), keyed(after)).map((change) => ({
    type: kind[change.type],
    path: change.path.join('.'),
    ...('oldValue' in change ? { before: change.oldValue } : {}),
    ...('value' in change ? { after: change.value } : {}),
  }));
  const beforeIds = new Set(before.nodes.map((n) => n.id));
  const afterIds = new Set(after.nodes.map((n) => n.id));
  const touched = new Set(
    changes.filter((c) => c.path.startsWith('nodes.')).map((c) => c.path.split('.')[1] ?? ''),
  );
  return {
    nodes: {
      added: [...afterIds].filter((id) => !beforeIds.has(id)),
      removed: [...beforeIds].filter((id) => !afterIds.has(id)),
      changed: [...touched].filter((id) => beforeIds.has(id) && afterIds.has(id)),
    },
    changes,
  };
}
