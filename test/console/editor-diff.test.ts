import { describe, expect, it } from 'vitest';
import {
  addNode,
  deleteNodes,
  findNode,
  moveNodes,
  setTrigger,
  updateNode,
} from '../../console/editor/model/commands.ts';
import { diffFlows, isLayoutOnly, unionForCompare } from '../../console/editor/model/diff.ts';
import type { FlowNode } from '../../shared/flow/schema.ts';
import { pricingFlow } from './editor-fixture.ts';

describe('version diff', () => {
  it('lists added, removed and changed nodes with field-level changes', () => {
    const before = pricingFlow();
    let after = deleteNodes(before, ['done']);
    after = addNode(after, 'end', { x: 0, y: 0 }).flow;
    after = updateNode(after, 'greet', {
      ...(findNode(after, 'greet') as FlowNode),
      text: 'Hello',
    } as FlowNode);
    const d = diffFlows(before, after);
    expect(d.removed).toEqual(['done']);
    expect(d.added).toEqual(['end_1']);
    expect(d.changed.sort()).toEqual(['ask', 'greet']);
    expect(d.changes).toContainEqual(
      expect.objectContaining({ kind: 'changed', nodeId: 'greet', field: 'text', after: 'Hello' }),
    );
    // `ask` lost its links to the removed `done`.
    expect(d.changes).toContainEqual(
      expect.objectContaining({
        kind: 'removed',
        nodeId: 'ask',
        field: 'input.options.0.next',
        before: 'done',
      }),
    );
  });

  it('matches nodes by id, so reordering is not a change', () => {
    const before = pricingFlow();
    const after = { ...before, nodes: [...before.nodes].reverse() };
    const d = diffFlows(before, after);
    expect(d.changes).toEqual([]);
  });

  it('reports a position-only change as moved, not changed', () => {
    const before = pricingFlow();
    const after = moveNodes(before, new Map([['greet', { x: 100, y: 0 }]]));
    const d = diffFlows(before, after);
    expect(d.moved).toEqual(['greet']);
    expect(d.changed).toEqual([]);
    expect(isLayoutOnly(d)).toBe(true);
  });

  it('lists trigger changes by path', () => {
    const before = pricingFlow();
    const after = setTrigger(before, {
      type: 'page_visited',
      urls: [{ op: 'is', value: '/pricing' }],
    });
    expect(diffFlows(before, after).changes).toEqual([
      { kind: 'changed', path: 'trigger.urls.0.op', before: 'contains', after: 'is' },
    ]);
    expect(isLayoutOnly(diffFlows(before, after))).toBe(false);
  });

  it('draws both sides on one canvas: removed nodes are kept for the comparison', () => {
    const before = pricingFlow();
    const after = deleteNodes(before, ['done']);
    expect(
      unionForCompare(before, after)
        .nodes.map((n) => n.id)
        .sort(),
    ).toEqual(['ask', 'done', 'greet']);
  });
});
