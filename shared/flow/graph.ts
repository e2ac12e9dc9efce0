/** The node graph of a flow: ports as edges, reachability and cycles (for the validator). */
import type { FlowNode } from './nodes.ts';
import { nodePorts } from './ports.ts';

export function successors(node: FlowNode, ids: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const { target } of nodePorts(node))
    if (target !== undefined && ids.has(target) && !out.includes(target)) out.push(target);
  return out;
}

/** Node ids reachable from `start` along ports. */
export function reachable(nodes: readonly FlowNode[], start: string): Set<string> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const ids = new Set(byId.keys());
  const seen = new Set<string>();
  const stack = ids.has(start) ? [start] : [];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = byId.get(id);
    if (node) for (const next of successors(node, ids)) if (!seen.has(next)) stack.push(next);
  }
  return seen;
}

/**
 * Cycles (strongly connected components with an edge inside) in which no node waits for the
 * visitor. Such a loop would spin until the step limit or hammer a webhook. Iterative Tarjan.
 */
export function cyclesWithoutWait(
  nodes: readonly FlowNode[],
  waits: (node: FlowNode) => boolean,
): string[][] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const ids = new Set(byId.keys());
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;

  for (const root of ids) {
    if (index.has(root)) continue;
    const work: { id: string; next: string[]; i: number }[] = [];
    const enter = (id: string) => {
      index.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: successors(byId.get(id) as FlowNode, ids), i: 0 });
    };
    enter(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      if (frame.i < frame.next.length) {
        const next = frame.next[frame.i++] as string;
        if (!index.has(next)) enter(next);
        else if (onStack.has(next))
          low.set(frame.id, Math.min(low.get(frame.id) ?? 0, index.get(next) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id) ?? 0, low.get(frame.id) ?? 0));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      let id: string | undefined;
      do {
        id = stack.pop();
        if (id === undefined) break;
        onStack.delete(id);
        component.push(id);
      } while (id !== frame.id);
      const only = component[0] as string;
      const isCycle =
        component.length > 1 || successors(byId.get(only) as FlowNode, ids).includes(only);
      if (isCycle && !component.some((cid) => waits(byId.get(cid) as FlowNode)))
        found.push(component.reverse());
    }
  }
  return found;
}
