import { describe, expect, it } from 'vitest';
import { newRun, step } from '../../shared/engine/engine.ts';
import type { Effect, EngineContext } from '../../shared/engine/types.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';

const flow: Flow = flowSchema.parse({
  schemaVersion: 1,
  name: 'Plan picker',
  pilotId: 'p1',
  trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '/pricing' }] },
  variables: [{ name: 'plan', type: 'text', default: 'free' }],
  start: 'greet',
  nodes: [
    {
      id: 'greet',
      type: 'send_message',
      text: 'Hi {{contact.first_name | "there"}}!',
      next: 'ask',
    },
    {
      id: 'ask',
      type: 'ask_question',
      text: 'Which plan?',
      input: {
        kind: 'buttons',
        options: [
          { label: 'Free', value: 'free', next: 'done' },
          { label: 'Pro', value: 'pro', next: 'thanks' },
        ],
      },
      saveTo: 'variable.plan',
    },
    { id: 'thanks', type: 'send_message', text: 'You picked {{variable.plan}}.', next: 'done' },
    { id: 'done', type: 'end' },
  ],
});

const ctx = (data: Record<string, unknown> = {}): EngineContext => ({ flow, now: 1_000, data });
const texts = (effects: Effect[]) => effects.map((e) => (e.type === 'say' ? e.text : e.type));

describe('engine: send_message, ask_question (buttons), end', () => {
  it('sends the greeting with the template fallback, then asks and waits', () => {
    const result = step(newRun('r1', 'f1', 1, ctx()), { type: 'start' }, ctx());
    expect(texts(result.effects)).toEqual(['Hi there!', 'Which plan?']);
    expect(result.effects[1]).toMatchObject({
      choices: [
        { label: 'Free', value: 'free' },
        { label: 'Pro', value: 'pro' },
      ],
    });
    expect(result.state).toMatchObject({
      status: 'waiting',
      nodeId: 'ask',
      variables: { plan: 'free' },
    });
  });

  it('uses contact data in templates when present', () => {
    const result = step(
      newRun('r1', 'f1', 1, ctx()),
      { type: 'start' },
      ctx({ contact: { first_name: 'Ada' } }),
    );
    expect(result.effects[0]).toMatchObject({ text: 'Hi Ada!' });
  });

  it('saves the chosen value to the variable and follows the option port to end', () => {
    const waiting = step(newRun('r1', 'f1', 1, ctx()), { type: 'start' }, ctx()).state;
    const result = step(waiting, { type: 'input', text: 'Pro', value: 'pro' }, ctx());
    expect(texts(result.effects)).toEqual(['You picked pro.']);
    expect(result.state).toMatchObject({
      status: 'completed',
      nodeId: null,
      variables: { plan: 'pro' },
    });
    expect(result.log.map((l) => [l.nodeId, l.status])).toEqual([
      ['ask', 'completed'],
      ['thanks', 'completed'],
      ['done', 'completed'],
    ]);
  });

  it('accepts free text that matches a button label', () => {
    const waiting = step(newRun('r1', 'f1', 1, ctx()), { type: 'start' }, ctx()).state;
    const result = step(waiting, { type: 'input', text: ' free ' }, ctx());
    expect(result.state).toMatchObject({ status: 'completed', variables: { plan: 'free' } });
  });

  it('asks again when the answer is not one of the buttons', () => {
    const waiting = step(newRun('r1', 'f1', 1, ctx()), { type: 'start' }, ctx()).state;
    const result = step(waiting, { type: 'input', text: 'enterprise' }, ctx());
    expect(result.state).toEqual({ ...waiting, attempts: 1 });
    expect(texts(result.effects)).toEqual(['Please pick one of the options.', 'Which plan?']);
  });

  it('is deterministic: the same inputs give the same outputs', () => {
    const a = step(newRun('r1', 'f1', 1, ctx()), { type: 'start' }, ctx());
    const b = step(newRun('r1', 'f1', 1, ctx()), { type: 'start' }, ctx());
    expect(a).toEqual(b);
  });
});
