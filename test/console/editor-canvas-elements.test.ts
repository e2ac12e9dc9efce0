import { describe, expect, it } from 'vitest';
import { createCanvasElements, estimateStep } from '../../console/editor/canvas-elements.ts';
import {
  createOpening,
  fitAll,
  HUB_DEGREE,
  OFF_VIEW_COST,
  STEP_COST,
  viewRect,
} from '../../console/editor/canvas-opening.ts';
import { moveNodes, TRIGGER_ID, updateNode } from '../../console/editor/model/commands.ts';
import { triggerPosition, withPositions } from '../../console/editor/model/layout.ts';
import { portsOf } from '../../console/editor/model/ports.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import { pricingFlow } from './editor-fixture.ts';

const onPlus = () => {};
const input = (flow: Flow, selection: string[] = []) => ({
  flow,
  selection,
  problems: new Map<string, 'error' | 'warning'>(),
  readOnly: false,
  onPlus,
});
const step = (nodes: ReturnType<ReturnType<typeof createCanvasElements>['nodes']>, id: string) =>
  nodes.find((n) => n.id === id) as (typeof nodes)[number];

describe('canvas elements kept between renders', () => {
  it('hands xyflow the same objects while nothing they show changed', () => {
    const flow = withPositions(pricingFlow());
    const elements = createCanvasElements();
    const first = elements.nodes(input(flow), new Map());
    const again = elements.nodes(input(flow, []), new Map());
    expect(again).toHaveLength(first.length);
    for (const [i, node] of again.entries()) expect(node).toBe(first[i]);
    const edges = elements.edges(input(flow));
    for (const [i, edge] of elements.edges(input(flow)).entries()) expect(edge).toBe(edges[i]);
  });

  it('renews only the step whose selection changed, keeping the size xyflow measured', () => {
    const flow = withPositions(pricingFlow());
    const elements = createCanvasElements();
    const first = elements.nodes(input(flow), new Map());
    elements.measured('ask', { width: 240, height: 180 });
    const next = elements.nodes(input(flow, ['ask']), new Map());
    expect(step(next, 'greet')).toBe(step(first, 'greet'));
    expect(step(next, 'ask')).not.toBe(step(first, 'ask'));
    expect(step(next, 'ask').selected).toBe(true);
    // With `measured`, xyflow keeps the handle positions it measured instead of drawing the
    // step again to measure it.
    expect(step(next, 'ask').measured).toEqual({ width: 240, height: 180 });
    expect(step(next, 'ask').handles).toBeUndefined();
  });

  it('keeps the measured size of a moved step, but has an edited step measured again', () => {
    const flow = withPositions(pricingFlow());
    const elements = createCanvasElements();
    elements.nodes(input(flow), new Map());
    elements.measured('greet', { width: 240, height: 100 });
    const moved = moveNodes(flow, new Map([['greet', { x: 999, y: 5 }]]));
    expect(step(elements.nodes(input(moved), new Map()), 'greet').measured).toEqual({
      width: 240,
      height: 100,
    });
    const greet = moved.nodes.find((n) => n.id === 'greet');
    const edited = updateNode(moved, 'greet', { ...greet, text: 'A much longer text' } as never);
    const node = step(elements.nodes(input(edited), new Map()), 'greet');
    expect(node.measured).toBeUndefined();
    expect(node.handles).toBeUndefined();
  });

  it('gives a step never drawn an estimated size and a handle for each port', () => {
    const flow = withPositions(pricingFlow());
    const node = step(createCanvasElements().nodes(input(flow), new Map()), 'ask');
    const ask = flow.nodes.find((n) => n.id === 'ask') as Flow['nodes'][number];
    expect(node.initialWidth).toBe(240);
    expect(node.handles?.filter((h) => h.type === 'source').map((h) => h.id)).toEqual(
      portsOf(ask).map((p) => p.port),
    );
    // Measured in Chromium: a one-line question with four ports is 177.5 px tall, its first
    // port's handle 79.5 px down.
    const estimate = estimateStep(ask, portsOf(ask));
    expect(estimate.height).toBeGreaterThan(170);
    expect(estimate.height).toBeLessThan(185);
    expect(estimate.handles[1]?.y).toBeCloseTo(79.5, 0);
  });

  it('leaves out the steps not let in yet, and the connections to them', () => {
    const flow = withPositions(pricingFlow());
    const elements = createCanvasElements();
    const admit = (id: string) => id !== 'done';
    const nodes = elements.nodes(input(flow), new Map(), admit);
    expect(nodes.map((n) => n.id)).not.toContain('done');
    expect(nodes.map((n) => n.id)).toContain(TRIGGER_ID);
    const edges = elements.edges(input(flow), admit);
    expect(edges.some((e) => e.target === 'done' || e.source === 'done')).toBe(false);
    expect(edges.length).toBeGreaterThan(0);
  });
});

describe('opening a large flow in batches', () => {
  /** A chain of 1,000 conditions, each one's `else` ending on one shared `end` step. */
  const big = () =>
    withPositions(
      flowSchema.parse({
        schemaVersion: 1,
        name: 'Big',
        pilotId: 'pilot_1',
        trigger: { type: 'new_conversation' },
        start: 'c0',
        nodes: [
          ...Array.from({ length: 999 }, (_, i) => ({
            id: `c${i}`,
            type: 'condition',
            branches: [
              {
                when: { field: 'visitor.country', op: 'eq', value: 'FR' },
                next: i < 998 ? `c${i + 1}` : 'end',
              },
            ],
            else: 'end',
          })),
          { id: 'end', type: 'end' },
        ],
      }),
    );
  const pane = { width: 500, height: 630 };

  it('fits the whole flow in the pane', () => {
    const flow = big();
    const viewport = fitAll(flow, pane, { min: 0.1, max: 2 });
    expect(viewport.zoom).toBeGreaterThanOrEqual(0.1);
    const view = viewRect(viewport, pane);
    // The trigger's card (left of the start step) included.
    const xs = [...flow.nodes.map((n) => n.position?.x ?? 0), triggerPosition(flow).x];
    // Clamped at the smallest zoom, the view is centred on the flow.
    expect(view.x + view.width / 2).toBeCloseTo((Math.min(...xs) + Math.max(...xs) + 240) / 2, -1);
  });

  it('hands every step over, each batch within its drawing budget, hubs first', () => {
    const flow = big();
    const opening = createOpening(flow);
    const view = viewRect(fitAll(flow, pane, { min: 0.1, max: 2 }), pane);
    const budget = 60; // the canvas's OPEN_BUDGET
    const batches: string[][] = [];
    // Bounded: every batch hands over at least one step.
    for (let i = 0; i < flow.nodes.length && !opening.done(); i++)
      batches.push(opening.next(view, budget));
    expect(opening.done()).toBe(true);
    expect(batches.flat().sort()).toEqual(flow.nodes.map((n) => n.id).sort());
    expect(flow.nodes.every((n) => opening.admits(n.id))).toBe(true);
    // `end` takes every open port: it comes first, so its connections come with their sources.
    expect(batches[0]?.[0]).toBe('end');
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.length).toBeLessThan(40);
  });

  it('counts what a batch draws in view: steps and connections crossing it', () => {
    const flow = withPositions(pricingFlow());
    const opening = createOpening(flow);
    const everywhere = { x: -1e6, y: -1e6, width: 2e6, height: 2e6 };
    // In view, one step costs STEP_COST: a budget of one step hands over one step at a time.
    expect(opening.next(everywhere, STEP_COST)).toHaveLength(1);
    // Out of view, a step costs OFF_VIEW_COST and its connections nothing.
    const nowhere = { x: 1e7, y: 1e7, width: 10, height: 10 };
    expect(opening.next(nowhere, 2 * OFF_VIEW_COST)).toHaveLength(2);
    const rest = flow.nodes.length - 3;
    expect(opening.next(nowhere, rest * OFF_VIEW_COST)).toHaveLength(rest);
    expect(opening.done()).toBe(true);
    expect(OFF_VIEW_COST).toBeLessThan(STEP_COST);
    expect(HUB_DEGREE).toBeGreaterThan(STEP_COST);
  });
});
