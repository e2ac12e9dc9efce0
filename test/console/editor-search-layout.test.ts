import dagre from '@dagrejs/dagre';
import { describe, expect, it } from 'vitest';
import { addNode, findNode } from '../../console/editor/model/commands.ts';
import { missingPositions, tidy, withPositions } from '../../console/editor/model/layout.ts';
import { problemsByTarget, problemsOf } from '../../console/editor/model/problems.ts';
import { searchFlow, variableUsage } from '../../console/editor/model/search.ts';
import { pricingFlow } from './editor-fixture.ts';

describe('search', () => {
  it('finds a node by id, by its message text and by option labels', () => {
    const flow = pricingFlow();
    expect(searchFlow(flow, 'gree').map((h) => h.nodeId)).toContain('greet');
    expect(searchFlow(flow, 'which plan')).toEqual([
      { nodeId: 'ask', field: 'text', excerpt: 'Which plan?' },
    ]);
    expect(searchFlow(flow, 'pro').map((h) => h.field)).toContain('input.options.1.label');
    expect(searchFlow(flow, '   ')).toEqual([]);
  });

  it('finds where a variable is used', () => {
    expect(variableUsage(pricingFlow(), 'plan')).toEqual([
      { nodeId: 'ask', field: 'saveTo', excerpt: 'variable.plan' },
    ]);
    expect(variableUsage(pricingFlow(), 'pla')).toEqual([]);
  });
});

describe('layout', () => {
  it('places nodes without a position in columns by distance from start', () => {
    const flow = withPositions(pricingFlow());
    const x = (id: string) => findNode(flow, id)?.position?.x ?? -1;
    expect(x('greet')).toBeLessThan(x('ask'));
    expect(x('ask')).toBeLessThan(x('done'));
    expect(missingPositions(flow).size).toBe(0);
  });

  it('tidy-up lays out left to right and leaves unselected nodes alone', () => {
    let flow = withPositions(pricingFlow());
    flow = addNode(flow, 'end', { x: 999, y: 999 }).flow;
    const tidied = tidy(flow, dagre, ['greet', 'ask', 'done']);
    const x = (id: string) => findNode(tidied, id)?.position?.x ?? -1;
    expect(x('greet')).toBeLessThan(x('ask'));
    expect(findNode(tidied, 'end_1')?.position).toEqual({ x: 999, y: 999 });
  });
});

describe('problems', () => {
  it('ties validator issues to the node and field they name', () => {
    const flow = pricingFlow();
    const broken = {
      ...flow,
      nodes: flow.nodes.map((n) => (n.id === 'greet' ? { ...n, next: 'missing' } : n)),
    };
    const problems = problemsOf(broken);
    expect(problems).toContainEqual(
      expect.objectContaining({ level: 'error', target: 'greet', field: 'next' }),
    );
    expect(problemsByTarget(problems).get('greet')).toBe('error');
    expect(problemsOf(flow).filter((p) => p.level === 'error')).toEqual([]);
  });
});
