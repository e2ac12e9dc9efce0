/**
 * Opening a large flow on the canvas in batches. Pure (no DOM).
 *
 * xyflow draws only what is in view (`onlyRenderVisibleElements`), but whatever is in view when
 * the nodes are handed over is drawn in one task: on a generated 1,000-step flow that was 111
 * steps and 658 connections (every open port ends on one shared step, so most connections
 * cross the view), one task of 1.3-2 s at 4x CPU throttle. So the canvas fits the view itself
 * (from the positions and estimated card sizes: nothing needs drawing first), then hands the
 * steps over a batch per task, each batch costing at most a budget of drawing *in that view*:
 * a step in view costs `STEP_COST` (out of view `OFF_VIEW_COST`), a connection whose box crosses
 * the view costs 1, a connection out of view nothing. Steps with many connections come first (so that the connections into
 * them come with their other ends, a few at a time), then the rest from the middle outwards.
 */
import { getViewportForBounds, type Viewport } from '@xyflow/system';
import type { Flow } from '../../shared/flow/schema.ts';
import { CARD_WIDTH, estimateStep } from './canvas-elements.ts';
import { TRIGGER_ID } from './model/commands.ts';
import { triggerPosition } from './model/layout.ts';
import { portsOf } from './model/ports.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Box {
  x: number;
  y: number;
  right: number;
  bottom: number;
}

/** The trigger card's height (editor.css), measured in Chromium. */
const TRIGGER_HEIGHT = 85;
/** Drawing a step (card, handles, "+" buttons) costs about this many connections. */
export const STEP_COST = 4;
/**
 * A step out of view is not drawn, but xyflow still takes it in (its internal node, handle
 * bounds, the store update) and the canvas builds its element: without a cost of its own, the
 * last batches handed over every step left out of view at once (one task of 425 ms at 4x
 * throttle on the generated 1,000-step flow, bench/profile-editor.mjs).
 */
export const OFF_VIEW_COST = 0.5;
/** Steps with at least this many connections are handed over first. */
export const HUB_DEGREE = 16;
/** The padding xyflow's own fitView uses (a tenth of the pane). */
const FIT_PADDING = 0.1;

/** Every card's box in flow coordinates (the trigger's included), sizes estimated. */
export function boxesOf(flow: Flow): Map<string, Box> {
  const boxes = new Map<string, Box>();
  const t = triggerPosition(flow);
  boxes.set(TRIGGER_ID, { x: t.x, y: t.y, right: t.x + CARD_WIDTH, bottom: t.y + TRIGGER_HEIGHT });
  for (const node of flow.nodes) {
    const { x, y } = node.position ?? { x: 0, y: 0 };
    const { width, height } = estimateStep(node, portsOf(node));
    boxes.set(node.id, { x, y, right: x + width, bottom: y + height });
  }
  return boxes;
}

function bounds(boxes: Iterable<Box>): Rect {
  let [x, y, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const b of boxes) {
    x = Math.min(x, b.x);
    y = Math.min(y, b.y);
    right = Math.max(right, b.right);
    bottom = Math.max(bottom, b.bottom);
  }
  return Number.isFinite(x) ? { x, y, width: right - x, height: bottom - y } : ZERO;
}
const ZERO: Rect = { x: 0, y: 0, width: 0, height: 0 };

/** The viewport that fits the whole flow in a pane of `pane` size, as xyflow's fitView would. */
export function fitAll(
  flow: Flow,
  pane: { width: number; height: number },
  zoom: { min: number; max: number },
): Viewport {
  const all = bounds(boxesOf(flow).values());
  return getViewportForBounds(all, pane.width, pane.height, zoom.min, zoom.max, FIT_PADDING);
}

/** The part of the flow a viewport shows, in flow coordinates. */
export function viewRect(viewport: Viewport, pane: { width: number; height: number }): Rect {
  return {
    x: -viewport.x / viewport.zoom,
    y: -viewport.y / viewport.zoom,
    width: pane.width / viewport.zoom,
    height: pane.height / viewport.zoom,
  };
}

const crosses = (b: Box, r: Rect) =>
  b.x < r.x + r.width && b.right > r.x && b.y < r.y + r.height && b.bottom > r.y;

const union = (a: Box, b: Box): Box => ({
  x: Math.min(a.x, b.x),
  y: Math.min(a.y, b.y),
  right: Math.max(a.right, b.right),
  bottom: Math.max(a.bottom, b.bottom),
});

/**
 * The opening of `flow`: which steps are handed over so far (`admits`: every step once `done`),
 * and `next`, which hands over one more batch. Steps the flow gains while it opens are let in
 * at once.
 */
export function createOpening(flow: Flow) {
  const boxes = boxesOf(flow);
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    if (!boxes.has(a) || !boxes.has(b) || a === b) return;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const list = neighbours.get(from);
      if (list) list.push(to);
      else neighbours.set(from, [to]);
    }
  };
  if (boxes.has(flow.start)) link(TRIGGER_ID, flow.start);
  for (const node of flow.nodes)
    for (const { target } of portsOf(node)) if (target !== undefined) link(node.id, target);

  const all = bounds(boxes.values());
  const cx = all.x + all.width / 2;
  const cy = all.y + all.height / 2;
  const rank = (id: string) => {
    const b = boxes.get(id) as Box;
    const hub = (neighbours.get(id)?.length ?? 0) >= HUB_DEGREE ? 0 : 1;
    return { id, hub, d: ((b.x + b.right) / 2 - cx) ** 2 + ((b.y + b.bottom) / 2 - cy) ** 2 };
  };
  const order = flow.nodes
    .map((n) => rank(n.id))
    .sort((a, b) => a.hub - b.hub || a.d - b.d)
    .map((r) => r.id);

  const admitted = new Set<string>([TRIGGER_ID]);
  let at = 0;
  const cost = (id: string, view: Rect) => {
    const box = boxes.get(id) as Box;
    let total = crosses(box, view) ? STEP_COST : OFF_VIEW_COST;
    for (const other of neighbours.get(id) ?? [])
      if (admitted.has(other) && crosses(union(box, boxes.get(other) as Box), view)) total++;
    return total;
  };

  return {
    /** The viewport that fits the whole flow (as `fitAll`, from the boxes measured here). */
    fit: (pane: { width: number; height: number }, zoom: { min: number; max: number }) =>
      getViewportForBounds(all, pane.width, pane.height, zoom.min, zoom.max, FIT_PADDING),
    admits: (id: string) => at >= order.length || admitted.has(id) || !boxes.has(id),
    done: () => at >= order.length,
    /** Hands over steps until the next would take the batch's drawing in `view` over `budget`. */
    next(view: Rect, budget: number): string[] {
      const batch: string[] = [];
      let spent = 0;
      while (at < order.length) {
        const id = order[at] as string;
        const c = cost(id, view);
        if (batch.length > 0 && spent + c > budget) break;
        admitted.add(id);
        batch.push(id);
        spent += c;
        at++;
      }
      return batch;
    },
  };
}

export type Opening = ReturnType<typeof createOpening>;
