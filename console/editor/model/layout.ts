/**
 * Where nodes sit on the canvas. The flow format stores an optional `position` on every node
 * (editor metadata the engine ignores), so positions are saved with the draft and versioned.
 * Nodes without one (flows written by hand or by the CLI) get a layered position here (cheap,
 * no library); "Tidy up" runs dagre, which the page loads on demand and passes in.
 */
import type { Flow } from '../../../shared/flow/schema.ts';
import { moveNodes, type Position, TRIGGER_ID } from './commands.ts';
import { portsOf } from './ports.ts';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 120;
const GAP_X = 80;
const GAP_Y = 60;

/** Positions for every node lacking one: columns by distance from start, rows in order. */
export function missingPositions(flow: Flow): Map<string, Position> {
  const out = new Map<string, Position>();
  if (flow.nodes.every((n) => n.position)) return out;
  const depth = new Map<string, number>();
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  const queue: string[] = byId.has(flow.start) ? [flow.start] : [];
  depth.set(flow.start, 0);
  // Breadth-first: each node is queued once, so this is bounded by the node count.
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    const node = byId.get(id);
    if (!node) continue;
    for (const { target } of portsOf(node)) {
      if (target === undefined || depth.has(target) || !byId.has(target)) continue;
      depth.set(target, (depth.get(id) ?? 0) + 1);
      queue.push(target);
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  const rows = new Map<number, number>();
  for (const node of flow.nodes) {
    const column = depth.get(node.id) ?? maxDepth + 1;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    if (!node.position)
      out.set(node.id, {
        x: (column + 1) * (NODE_WIDTH + GAP_X),
        y: row * (NODE_HEIGHT + GAP_Y),
      });
  }
  return out;
}

/** The flow with a position on every node (used on load; not an undo step). */
export function withPositions(flow: Flow): Flow {
  const missing = missingPositions(flow);
  return missing.size ? moveNodes(flow, missing) : flow;
}

/** The trigger card sits left of the start node. */
export function triggerPosition(flow: Flow): Position {
  const start = flow.nodes.find((n) => n.id === flow.start) ?? flow.nodes[0];
  const at = start?.position ?? { x: 0, y: 0 };
  return { x: at.x - NODE_WIDTH - GAP_X, y: at.y };
}

/** The part of dagre tidy-up uses (the page passes the dynamically imported module). */
export type DagreLike = Pick<typeof import('@dagrejs/dagre'), 'graphlib' | 'layout'>;

/**
 * Lays out `ids` (default: every node) left to right with dagre. A partial tidy keeps the
 * selection's top-left corner where it was so the rest of the canvas does not jump.
 */
export function tidy(flow: Flow, dagre: DagreLike, ids?: readonly string[]): Flow {
  const chosen = new Set(ids?.length ? ids : flow.nodes.map((n) => n.id));
  const graph = new dagre.graphlib.Graph<
    object,
    { width: number; height: number; x?: number; y?: number }
  >();
  graph.setGraph({ rankdir: 'LR', nodesep: GAP_Y, ranksep: GAP_X });
  graph.setDefaultEdgeLabel(() => ({}));
  const nodes = flow.nodes.filter((n) => chosen.has(n.id));
  for (const node of nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const node of nodes)
    for (const { target } of portsOf(node))
      if (target !== undefined && chosen.has(target) && target !== node.id)
        graph.setEdge(node.id, target);
  dagre.layout(graph);
  const laid = new Map<string, Position>();
  for (const node of nodes) {
    const at = graph.node(node.id);
    if (at?.x !== undefined && at.y !== undefined)
      laid.set(node.id, { x: at.x - NODE_WIDTH / 2, y: at.y - NODE_HEIGHT / 2 });
  }
  const anchor = corner(nodes.map((n) => n.position ?? { x: 0, y: 0 }));
  const laidCorner = corner([...laid.values()]);
  const shift = { x: anchor.x - laidCorner.x, y: anchor.y - laidCorner.y };
  for (const [id, p] of laid) laid.set(id, { x: p.x + shift.x, y: p.y + shift.y });
  return moveNodes(flow, laid);
}

function corner(points: readonly Position[]): Position {
  if (points.length === 0) return { x: 0, y: 0 };
  return {
    x: Math.min(...points.map((p) => p.x)),
    y: Math.min(...points.map((p) => p.y)),
  };
}

export { TRIGGER_ID };
