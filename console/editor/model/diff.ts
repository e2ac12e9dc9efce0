/**
 * What changed between two flow documents (version vs version, draft vs live): nodes are
 * matched by id, not array position, so reordering is not noise; every changed field is listed
 * by a path relative to its node (`text`, `input.options.1.label`). A node whose only change
 * is its canvas position is "moved", not "changed".
 */
import diff from 'microdiff';
import type { Flow, FlowNode } from '../../../shared/flow/schema.ts';

export interface FieldChange {
  kind: 'added' | 'removed' | 'changed';
  /** `nodes.<id>.<field path>` for node fields, else the flow field (`trigger.urls.0.value`). */
  path: string;
  nodeId?: string;
  /** The path below the node (`text`, `next`), when `nodeId` is set. */
  field?: string;
  before?: unknown;
  after?: unknown;
}

export interface FlowDiff {
  added: string[];
  removed: string[];
  changed: string[];
  moved: string[];
  changes: FieldChange[];
}

const byId = (nodes: readonly FlowNode[]) => new Map(nodes.map((n) => [n.id, n]));

function withoutNodes(flow: Flow): Record<string, unknown> {
  const { nodes: _, ...rest } = flow;
  return rest;
}

function toChange(
  change: ReturnType<typeof diff>[number],
  prefix: string[],
  nodeId?: string,
): FieldChange {
  const field = change.path.join('.');
  return {
    kind: change.type === 'CREATE' ? 'added' : change.type === 'REMOVE' ? 'removed' : 'changed',
    path: [...prefix, field].join('.'),
    ...(nodeId !== undefined ? { nodeId, field } : {}),
    ...('oldValue' in change ? { before: change.oldValue } : {}),
    ...('value' in change ? { after: change.value } : {}),
  };
}

export function diffFlows(before: Flow, after: Flow): FlowDiff {
  const changes: FieldChange[] = diff(withoutNodes(before), withoutNodes(after)).map((c) =>
    toChange(c, []),
  );
  const old = byId(before.nodes);
  const now = byId(after.nodes);
  const result: FlowDiff = { added: [], removed: [], changed: [], moved: [], changes };
  for (const node of before.nodes) {
    if (!now.has(node.id)) {
      result.removed.push(node.id);
      changes.push({ kind: 'removed', path: `nodes.${node.id}`, nodeId: node.id, before: node });
    }
  }
  for (const node of after.nodes) {
    const previous = old.get(node.id);
    if (!previous) {
      result.added.push(node.id);
      changes.push({ kind: 'added', path: `nodes.${node.id}`, nodeId: node.id, after: node });
      continue;
    }
    const nodeChanges = diff(previous, node).map((c) => toChange(c, ['nodes', node.id], node.id));
    if (nodeChanges.length === 0) continue;
    const moves = nodeChanges.filter((c) => c.field?.startsWith('position'));
    if (moves.length === nodeChanges.length) result.moved.push(node.id);
    else result.changed.push(node.id);
    changes.push(...nodeChanges.filter((c) => !c.field?.startsWith('position')));
  }
  return result;
}

/** Nothing but positions changed (e.g. after tidy-up): publishing would change no behaviour. */
export const isLayoutOnly = (d: FlowDiff): boolean =>
  d.added.length + d.removed.length + d.changed.length === 0 &&
  d.changes.every((c) => c.path.startsWith('nodes.'));

/** Merges both sides into one document to draw a comparison on one canvas (removed kept). */
export function unionForCompare(before: Flow, after: Flow): Flow {
  const now = byId(after.nodes);
  const removed = before.nodes.filter((n) => !now.has(n.id));
  return { ...after, nodes: [...after.nodes, ...removed] };
}
