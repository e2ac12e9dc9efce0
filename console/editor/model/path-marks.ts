/**
 * How a path through a flow lights up on the canvas: the test panel (a simulated path, stepped
 * through), the run page (a recorded run, its failed step marked) and the replay (the recorded
 * path against the draft's) all derive their node marks and taken connections here.
 */
import type { Flow } from '../../../shared/flow/schema.ts';
import { nodePorts } from '../../../shared/flow/schema.ts';
import type { Mark } from '../canvas-types.ts';
import { TRIGGER_ID } from './commands.ts';

export interface PathMarkOptions {
  /** Only the first `upTo` steps are lit (the test panel's step slider); default: all. */
  upTo?: number;
  /** Mark the last lit step as the current one. */
  current?: boolean;
  /** A step that failed: marked `failed` whatever else it is. */
  failed?: string | null;
}

export function pathMarks(
  path: readonly string[],
  options: PathMarkOptions = {},
): Map<string, Mark> {
  const lit = path.slice(0, options.upTo ?? path.length);
  const marks = new Map<string, Mark>();
  for (const nodeId of lit) marks.set(nodeId, 'path');
  const last = lit.at(-1);
  if (options.current && last) marks.set(last, 'current');
  if (options.failed && lit.includes(options.failed)) marks.set(options.failed, 'failed');
  return marks;
}

/**
 * The connections a path took, as the canvas's edge ids (`source|port`, `__trigger__|start`):
 * each step to the next one along the path. The engine names ports its own way
 * (`option:<value>`), so the flow's own ports are read instead: a port from one step to the
 * next is lit (two ports to the same step are both lit, they are the same line).
 */
export function takenEdges(flow: Flow, path: readonly string[]): Set<string> {
  const edges = new Set<string>();
  if (path[0] === flow.start) edges.add(`${TRIGGER_ID}|start`);
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  for (let i = 0; i + 1 < path.length; i++) {
    const node = byId.get(path[i] as string);
    if (!node) continue;
    for (const { port, target } of nodePorts(node))
      if (target === path[i + 1]) edges.add(`${node.id}|${port}`);
  }
  return edges;
}

/**
 * A replay drawn on the draft: the draft's path lit, the step where it parts from the recorded
 * run marked `diverged`, steps only the draft visits `draft-only`, and recorded steps the draft
 * still has but no longer visits `run-only`.
 */
export function replayMarks(
  replayed: readonly string[],
  diff: {
    replayedAt: string | null;
    onlyRecorded: readonly string[];
    onlyReplayed: readonly string[];
  },
): Map<string, Mark> {
  const marks = pathMarks(replayed);
  for (const id of diff.onlyReplayed) marks.set(id, 'draft-only');
  for (const id of diff.onlyRecorded) marks.set(id, 'run-only');
  if (diff.replayedAt) marks.set(diff.replayedAt, 'diverged');
  return marks;
}
