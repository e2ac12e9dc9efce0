import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../shared/engine/simulate.ts';
import { makeFlow } from './engine-test-helpers.ts';

describe('simulate: variables per step', () => {
  it('gives the variables after each turn on that turn’s last logged step', () => {
    const flow = makeFlow(
      [
        {
          id: 'set',
          type: 'set_variable',
          assignments: [{ target: 'variable.n', op: 'set', value: 1 }],
          next: 'ask',
        },
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Name?',
          input: { kind: 'text' },
          saveTo: 'variable.name',
          next: 'bump',
        },
        {
          id: 'bump',
          type: 'set_variable',
          assignments: [{ target: 'variable.n', op: 'increment' }],
          next: 'done',
        },
        { id: 'done', type: 'end' },
      ],
      {
        variables: [
          { name: 'n', type: 'number' },
          { name: 'name', type: 'text' },
        ],
      },
    );
    const result = simulateFlow(flow, {
      events: [{ type: 'new_conversation' }, { type: 'message', text: 'Ada' }],
    });
    const snapshots = result.log
      .filter((entry) => 'variables' in entry)
      .map((entry) => [entry.nodeId, entry.variables]);
    expect(snapshots).toEqual([
      ['ask', { n: 1 }],
      ['done', { n: 2, name: 'Ada' }],
    ]);
    expect(result.variables).toEqual({ n: 2, name: 'Ada' });
  });
});
