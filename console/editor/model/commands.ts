/**
 * Editing commands: pure functions from one flow document to the next. They never mutate their
 * input (the undo history keeps the old documents) and keep the graph consistent: deleting a
 * node clears every port that pointed at it, connecting checks both ends exist.
 */
import { type Flow, type FlowNode, type NodeType, nodePorts } from '../../../shared/flow/schema.ts';
import { freshId, newNode } from './node-types.ts';
import { hasPort, withoutPortsTo, withPort } from './ports.ts';

export interface Position {
  x: number;
  y: number;
}

export const nodeIds = (flow: Flow): Set<string> => new Set(flow.nodes.map((n) => n.id));

export function findNode(flow: Flow, id: string): FlowNode | undefined {
  return flow.nodes.find((n) => n.id === id);
}

function mapNode(flow: Flow, id: string, change: (node: FlowNode) => FlowNode): Flow {
  let touched = false;
  const nodes = flow.nodes.map((node) => {
    if (node.id !== id) return node;
    touched = true;
    return change(node);
  });
  return touched ? { ...flow, nodes } : flow;
}

/** Adds a node of `type` at `position`; returns the flow and the new id. */
export function addNode(
  flow: Flow,
  type: NodeType,
  position: Position,
): { flow: Flow; id: string } {
  const id = freshId(type, nodeIds(flow));
  const node = { ...newNode(type, id), position: roundPosition(position) } as FlowNode;
  return { flow: { ...flow, nodes: [...flow.nodes, node] }, id };
}

/**
 * "+" on an output or on a connection: adds a node of `type` after `source`'s `port`; what the
 * port pointed at (if anything) becomes the new node's first port's target.
 */
export function insertAfter(
  flow: Flow,
  sourceId: string,
  port: string,
  type: NodeType,
  position: Position,
): { flow: Flow; id: string } {
  let previous: string | undefined;
  if (sourceId === TRIGGER_ID) previous = findNode(flow, flow.start) ? flow.start : undefined;
  else {
    const source = findNode(flow, sourceId);
    if (!source || !hasPort(source, port)) return { flow, id: '' };
    previous = portTarget(source, port);
  }
  const added = addNode(flow, type, position);
  let next = connect(added.flow, sourceId, port, added.id);
  if (previous !== undefined) {
    const node = findNode(next, added.id) as FlowNode;
    const first = firstPort(node);
    if (first) next = connect(next, added.id, first, previous);
  }
  return { flow: next, id: added.id };
}

function firstPort(node: FlowNode): string | undefined {
  // `next` is the natural "carry on" port when a node has one; else its first port.
  if (hasPort(node, 'next')) return 'next';
  if (hasPort(node, 'available')) return 'available';
  if (hasPort(node, 'branches[0].next')) return 'else';
  if (hasPort(node, 'paths[0].next')) return 'paths[0].next';
  return undefined;
}

export function portTarget(node: FlowNode, port: string): string | undefined {
  return nodePorts(node).find((p) => p.port === port)?.target;
}

/** Deletes nodes and clears every port pointing at them; `start` moves to a remaining node. */
export function deleteNodes(flow: Flow, ids: readonly string[]): Flow {
  const gone = new Set(ids);
  const nodes = flow.nodes.filter((n) => !gone.has(n.id)).map((n) => withoutPortsTo(n, gone));
  if (nodes.length === flow.nodes.length) return flow;
  // A flow needs at least one node and a start; the validator reports a dangling start, so
  // only move it when the old one is gone and something remains.
  const start = gone.has(flow.start) && nodes[0] ? nodes[0].id : flow.start;
  return { ...flow, nodes, start };
}

/** Points `sourceId`'s `port` at `targetId`. `sourceId` `trigger` sets the start node. */
export function connect(flow: Flow, sourceId: string, port: string, targetId: string): Flow {
  if (!findNode(flow, targetId)) return flow;
  if (sourceId === TRIGGER_ID) return { ...flow, start: targetId };
  return mapNode(flow, sourceId, (node) => withPort(node, port, targetId));
}

/** Clears a port (a missing port ends the run). */
export function disconnect(flow: Flow, sourceId: string, port: string): Flow {
  return mapNode(flow, sourceId, (node) => withPort(node, port, undefined));
}

/** The canvas id of the trigger card; its single output is the flow's `start`. */
export const TRIGGER_ID = '__trigger__';

const roundPosition = (p: Position): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

/** Moves nodes (drag end, arrow keys, tidy-up). Unknown ids are ignored. */
export function moveNodes(flow: Flow, positions: ReadonlyMap<string, Position>): Flow {
  let changed = false;
  const nodes = flow.nodes.map((node) => {
    const to = positions.get(node.id);
    if (!to) return node;
    const rounded = roundPosition(to);
    if (node.position?.x === rounded.x && node.position?.y === rounded.y) return node;
    changed = true;
    return { ...node, position: rounded };
  });
  return changed ? { ...flow, nodes } : flow;
}

/**
 * Replaces a node's fields (inspector edits). The id and type stay: renaming goes through
 * `renameNode` so ports follow, and a type change is a delete + add.
 */
export function updateNode(flow: Flow, id: string, next: FlowNode): Flow {
  return mapNode(flow, id, (node) => ({ ...next, id: node.id, type: node.type }) as FlowNode);
}

/** Renames a node id and every port (and `start`) that pointed at it. */
export function renameNode(flow: Flow, from: string, to: string): Flow {
  if (from === to || !findNode(flow, from) || findNode(flow, to)) return flow;
  const map = new Map([[from, to]]);
  const nodes = flow.nodes.map((node) => {
    let out = node.id === from ? ({ ...node, id: to } as FlowNode) : node;
    for (const [port, target] of Object.entries(portMap(out)))
      if (map.has(target)) out = withPort(out, port, to);
    return out;
  });
  return { ...flow, nodes, start: flow.start === from ? to : flow.start };
}

function portMap(node: FlowNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const info of nodePorts(node)) if (info.target !== undefined) out[info.port] = info.target;
  return out;
}

export const setTrigger = (flow: Flow, trigger: Flow['trigger']): Flow => ({ ...flow, trigger });
export const setSettings = (flow: Flow, settings: Flow['settings']): Flow => ({
  ...flow,
  settings,
});
export const setVariables = (flow: Flow, variables: Flow['variables']): Flow => ({
  ...flow,
  variables,
});
export const setStart = (flow: Flow, start: string): Flow =>
  findNode(flow, start) ? { ...flow, start } : flow;

/** Name, description, priority: the flow's own fields. */
export function setDetails(
  flow: Flow,
  details: Partial<Pick<Flow, 'name' | 'description' | 'priority'>>,
): Flow {
  return { ...flow, ...details };
}
