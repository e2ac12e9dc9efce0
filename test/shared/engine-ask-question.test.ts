import { describe, expect, it } from 'vitest';
import { newRun, step } from '../../shared/engine/engine.ts';
import { input, makeFlow, play, say } from './engine-test-helpers.ts';

const ask = (kind: string, extra: Record<string, unknown> = {}) =>
  makeFlow(
    [
      {
        id: 'q',
        type: 'ask_question',
        text: 'Your answer?',
        input: { kind, ...extra },
        saveTo: 'variable.answer',
        retries: 1,
        next: 'ok',
        onInvalid: 'bad',
      },
      say('ok', 'Saved {{variable.answer}}'),
      say('bad', 'Giving up'),
    ],
    { variables: [{ name: 'answer', type: 'text' }] },
  );

const answer = (kind: string, text: string, extra?: Record<string, unknown>) =>
  play(ask(kind, extra), [input(text)]).state.variables.answer;

describe('engine: ask_question validates input by kind', () => {
  it.each([
    ['email', ' Ada@Example.COM ', 'ada@example.com'],
    ['phone', '+49 (30) 123-456', '+4930123456'],
    ['number', '1,5', 1.5],
    ['number', '1,000.25', 1000.25],
    ['date', '24.12.2026', '2026-12-24'],
    ['date', '2026-02-03', '2026-02-03'],
    ['date', 'tomorrow', '2026-11-25'],
    ['url', 'shop.example/a', 'https://shop.example/a'],
    ['text', 'anything at all', 'anything at all'],
  ])('accepts a valid %s answer %j and saves it normalised', (kind, text, saved) => {
    const flow = ask(kind);
    if (kind === 'number') flow.variables[0] = { name: 'answer', type: 'number' };
    expect(play(flow, [input(text)]).state.variables.answer).toEqual(saved);
  });

  it.each([
    ['email', 'not-an-email'],
    ['phone', 'call me'],
    ['number', 'twelve'],
    ['date', '31.02.2026'],
    ['url', 'javascript:alert(1)'],
    ['text', '   '],
  ])('rejects an invalid %s answer %j and re-asks with a hint', (kind, text) => {
    const { says, state } = play(ask(kind), [input(text)]);
    expect(says).toHaveLength(3);
    expect(says[2]).toBe('Your answer?');
    expect(state).toMatchObject({ status: 'waiting', nodeId: 'q', attempts: 1 });
  });

  it('uses invalidText for the hint and goes to onInvalid after the retries', () => {
    const flow = ask('email');
    const node = flow.nodes[0];
    if (node?.type === 'ask_question')
      node.invalidText = 'Email please, {{contact.name | "friend"}}';
    const { says, state, log } = play(flow, [input('x'), input('y')]);
    expect(says).toEqual(['Your answer?', 'Email please, friend', 'Your answer?', 'Giving up']);
    expect(state.status).toBe('completed');
    expect(log.find((l) => l.port === 'onInvalid')).toMatchObject({
      nodeId: 'q',
      error: 'invalid_email',
    });
  });

  it('fails the run with invalid_input when retries run out and there is no onInvalid', () => {
    const flow = makeFlow([
      { id: 'q', type: 'ask_question', text: '?', input: { kind: 'number' }, retries: 0 },
    ]);
    expect(play(flow, [input('nope')]).state).toMatchObject({
      status: 'failed',
      error: 'invalid_input',
    });
  });

  it('buttons accept the picked value, or typed text matching a label, and follow the option port', () => {
    const flow = makeFlow(
      [
        {
          id: 'q',
          type: 'ask_question',
          text: 'Plan?',
          input: {
            kind: 'buttons',
            options: [
              { label: 'Pro plan', value: 'pro', next: 'p' },
              { label: 'Free', value: 'free' },
            ],
          },
          saveTo: 'variable.plan',
          next: 'n',
        },
        say('p', 'Pro!'),
        say('n', 'Next'),
      ],
      { variables: [{ name: 'plan', type: 'text' }] },
    );
    expect(play(flow, [input('whatever', 'pro')]).says.at(-1)).toBe('Pro!');
    expect(play(flow, [input('  PRO PLAN ')]).says.at(-1)).toBe('Pro!');
    const free = play(flow, [input('free')]);
    expect(free.says.at(-1)).toBe('Next');
    expect(free.log.find((l) => l.choice)).toMatchObject({ nodeId: 'q', choice: 'free' });
  });

  it('buttons with allowFreeText save other text and go to next', () => {
    const flow = ask('buttons', { options: [{ label: 'A', value: 'a' }], allowFreeText: true });
    expect(play(flow, [input('something else')]).state.variables.answer).toBe('something else');
  });

  it('yes_no offers Yes/No buttons, understands words and saves a boolean', () => {
    const flow = makeFlow(
      [
        {
          id: 'q',
          type: 'ask_question',
          text: 'OK?',
          input: { kind: 'yes_no', options: [{ label: 'Sure', value: 'yes', next: 'y' }] },
          saveTo: 'variable.ok',
          next: 'n',
        },
        say('y', 'great'),
        say('n', 'fine'),
      ],
      { variables: [{ name: 'ok', type: 'boolean' }] },
    );
    expect(play(flow).effects[0]).toMatchObject({
      choices: [
        { label: 'Sure', value: 'yes' },
        { label: 'No', value: 'no' },
      ],
      input: 'yes_no',
    });
    expect(play(flow, [input('yep')]).says.at(-1)).toBe('great');
    const no = play(flow, [input('Nope')]);
    expect(no.says.at(-1)).toBe('fine');
    expect(no.state.variables.ok).toBe(false);
    expect(answer('yes_no', 'maybe')).toBeUndefined();
  });

  it('logs how long the visitor took to answer', () => {
    const flow = ask('text');
    const t0 = Date.parse('2026-11-24T10:00:00Z');
    const ctx = (now: number) => ({ flow, now, data: {} });
    const waiting = step(newRun('r', 'f', 1, ctx(t0)), { type: 'start' }, ctx(t0)).state;
    const answered = step(waiting, input('hello'), ctx(t0 + 4_500));
    expect(answered.log[0]).toMatchObject({ nodeId: 'q', status: 'completed', durationMs: 4_500 });
  });

  it('saves an answer into a contact field as one update_contact effect, normalised, seen at once', () => {
    const flow = makeFlow([
      {
        id: 'q',
        type: 'ask_question',
        text: 'Your email?',
        input: { kind: 'email' },
        saveTo: 'contact.email',
        next: 'ok',
      },
      say('ok', 'We will write to {{contact.email}}'),
    ]);
    const { effects, says, state } = play(flow, [input(' Ada@Example.COM ')], {
      data: { contact: { name: 'Ada' } },
    });
    const writes = effects.filter((e) => e.type === 'update_contact');
    expect(writes).toEqual([
      {
        type: 'update_contact',
        fields: { email: 'ada@example.com' },
        nodeId: 'q',
        idempotencyKey: expect.stringMatching(/^run-1:\d+:q$/),
        // Fire-and-forget: a question has no error port to take.
        awaitResult: false,
      },
    ]);
    expect(says.at(-1)).toBe('We will write to ada@example.com');
    expect(state).toMatchObject({ status: 'completed', variables: {} });
  });

  it('writes nothing to the contact for an invalid answer', () => {
    const flow = makeFlow([
      {
        id: 'q',
        type: 'ask_question',
        text: 'Your email?',
        input: { kind: 'email' },
        saveTo: 'contact.email',
        retries: 1,
      },
    ]);
    const { effects, state } = play(flow, [input('not-an-email')]);
    expect(effects.some((e) => e.type === 'update_contact')).toBe(false);
    expect(state).toMatchObject({ status: 'waiting', attempts: 1 });
  });
});
