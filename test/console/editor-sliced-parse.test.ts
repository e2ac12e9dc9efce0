import { describe, expect, it } from 'vitest';
import { parsedProblemsInSlices, problemsOf } from '../../console/editor/model/problems.ts';
import { parseFlowInSlices } from '../../console/editor/model/sliced-parse.ts';
import { flowSchema, MAX_FLOW_NODES } from '../../shared/flow/schema.ts';
import { largeFlow } from '../helpers/large-flow.ts';
import { pricingFlow } from './editor-fixture.ts';

/** A flow of `count` steps: messages, button questions and conditions in turn, then `end`. */
const generatedFlow = (count: number, pilotId: string) =>
  largeFlow(count, { pilotId, name: `Big ${count}` });

/** A clock that moves 1 ms each time it is read, and a pause that counts. */
function slices() {
  let t = 0;
  const counter = { pauses: 0 };
  return {
    counter,
    pause: async () => {
      counter.pauses++;
    },
    now: () => t++,
  };
}

describe('parsing a draft in slices (opening a large flow)', () => {
  it("gives the flow schema's own output for a 1,000-step flow, a slice at a time", async () => {
    const raw = generatedFlow(1000, 'pilot_1');
    const { counter, pause, now } = slices();
    const parsed = await parseFlowInSlices(raw, pause, 50, now);
    // Same values, defaults included, and the same key order (what a save sends back).
    expect(JSON.stringify(parsed)).toBe(JSON.stringify(flowSchema.parse(raw)));
    expect(parsed?.priority).toBe(100);
    expect(parsed?.variables).toEqual([]);
    // Every 50 ms of the clock (one read per step here) it handed the main thread back.
    expect(counter.pauses).toBeGreaterThanOrEqual(19);
    expect(counter.pauses).toBeLessThanOrEqual(21);
  });

  it('refuses whatever the flow schema refuses, and strips what it strips', async () => {
    const good = generatedFlow(10, 'pilot_1');
    const cases: unknown[] = [
      null,
      'flow',
      { ...good, nodes: [] },
      { ...good, nodes: 'none' },
      { ...good, name: '' },
      { ...good, nodes: [...good.nodes, { id: 'x', type: 'teleport' }] },
      { ...good, nodes: [...good.nodes.slice(0, -1), { id: 'end', type: 'end', extra: 1 }] },
      generatedFlow(MAX_FLOW_NODES, 'pilot_1'),
      {
        ...good,
        nodes: [...generatedFlow(MAX_FLOW_NODES, 'pilot_1').nodes, { id: 'y', type: 'end' }],
      },
    ];
    for (const raw of cases) {
      const expected = flowSchema.safeParse(raw);
      const parsed = await parseFlowInSlices(raw, async () => {});
      expect(parsed).toEqual(expected.success ? expected.data : null);
    }
  });

  it('checks a parsed draft in slices and finds what the full validator finds', async () => {
    const flow = flowSchema.parse(pricingFlow());
    const broken = {
      ...flow,
      nodes: flow.nodes.map((n) => (n.id === 'greet' ? { ...n, next: 'missing' } : n)),
    };
    const big = flowSchema.parse(generatedFlow(1000, 'pilot_1'));
    const loop = {
      ...big,
      nodes: big.nodes.map((n) => (n.id === 's3' ? { ...n, next: 's3' } : n)),
    };
    for (const doc of [flow, broken, big, loop]) {
      const { counter, pause, now } = slices();
      expect(await parsedProblemsInSlices(doc, pause, 50, now)).toEqual(problemsOf(doc));
      // Every step of the check reads the clock once: a pause every 50 of them.
      expect(counter.pauses).toBeGreaterThanOrEqual(Math.floor(doc.nodes.length / 51));
    }
    expect(problemsOf(broken).some((p) => p.level === 'error' && p.target === 'greet')).toBe(true);
    expect(problemsOf(loop).some((p) => p.code === 'cycle_without_wait')).toBe(true);
  });
});
