/**
 * Bounds (issue 12 item 1): the step limit bounds how many nodes run; these bound how much they
 * do. A flow that doubles a value every node must fail with a size code after a bounded amount
 * of work — never grow until the process runs out of memory, never throw.
 */
import { describe, expect, it } from 'vitest';
import { newRun, step } from '../../shared/engine/engine.ts';
import {
  MAX_EVENT_OUTPUT_CHARS,
  MAX_SCOPE_CHARS,
  MAX_SIMULATE_RESPONSE_CHARS,
  MAX_VALUE_CHARS,
} from '../../shared/engine/limits.ts';
import { simulateFlow } from '../../shared/engine/simulate.ts';
import { isAbort, RunError } from '../../shared/engine/types.ts';
import { MAX_RENDERED_CHARS, shapeWithin, sizeWithin } from '../../shared/expr/size.ts';
import { renderTemplate, renderUrl } from '../../shared/expr/template.ts';
import { makeCtx, makeFlow, play } from './engine-test-helpers.ts';

/** `length` set_variable nodes in a row, each applying `assignment` to variable.s. */
function chain(length: number, assignment: Record<string, unknown>) {
  return Array.from({ length }, (_, i) => ({
    id: `n${i}`,
    type: 'set_variable',
    assignments: [{ target: 'variable.s', ...assignment }],
    ...(i < length - 1 ? { next: `n${i + 1}` } : {}),
  }));
}

const variables = { variables: [{ name: 's', type: 'text', default: 'ab' }] };
const listVariable = { variables: [{ name: 's', type: 'list', default: ['ab'] }] };
const appendSelf = { op: 'append', value: '{{variable.s}}' };
const doubleSelf = { op: 'set', value: '{{variable.s}}{{variable.s}}' };

/** Plays the flow and returns the result with how long the start event took. */
function timed(flow: ReturnType<typeof makeFlow>) {
  const started = performance.now();
  const played = play(flow);
  return { ...played, ms: performance.now() - started };
}

describe('engine bounds', () => {
  it('fails a 30-node chain that appends a list to itself with value_too_large, fast', () => {
    const { state, log, ms } = timed(makeFlow(chain(30, appendSelf), listVariable));
    // Primitives only: printing a 2^30-item value on failure would hang the reporter.
    expect([state.status, state.error]).toEqual(['failed', RunError.valueTooLarge]);
    // The failing node is logged with the code (enrollment logs show where and why).
    expect(log.at(-1)).toMatchObject({ status: 'failed', error: 'value_too_large' });
    expect(sizeWithin(state.variables, MAX_SCOPE_CHARS)).not.toBeNull();
    expect(ms).toBeLessThan(500);
  });

  it('fails a 30-node chain that doubles a text through a template with value_too_large', () => {
    const { state, log, ms } = timed(makeFlow(chain(30, doubleSelf), variables));
    expect([state.status, state.error]).toEqual(['failed', 'value_too_large']);
    // 'ab' doubled: 4, 8, … 65,536 characters is the first value over the limit.
    expect(log.filter((entry) => entry.status === 'completed')).toHaveLength(14);
    expect((state.variables.s as string).length).toBeLessThanOrEqual(MAX_VALUE_CHARS);
    expect(ms).toBeLessThan(500);
  });

  it('stops a one-node self-appending cycle (a draft the validator refuses) before the step limit', () => {
    const cycle = [
      {
        id: 'loop',
        type: 'set_variable',
        assignments: [{ target: 'variable.s', ...appendSelf }],
        next: 'loop',
      },
    ];
    const { state, log, ms } = timed(makeFlow(cycle, listVariable));
    expect([state.status, state.error]).toEqual(['failed', 'value_too_large']);
    expect(log.length).toBeLessThan(40);
    expect(ms).toBeLessThan(500);
  });

  it('fails when the variables together pass the scope limit, though each value fits', () => {
    const big = 'x'.repeat(MAX_VALUE_CHARS - 100);
    const nodes = Array.from({ length: 8 }, (_, i) => ({
      id: `n${i}`,
      type: 'set_variable',
      assignments: [{ target: `variable.v${i}`, op: 'set', value: '{{event.big}}' }],
      ...(i < 7 ? { next: `n${i + 1}` } : {}),
    }));
    const flow = makeFlow(nodes);
    const ctx = makeCtx(flow, { data: { event: { big } } });
    const result = step(newRun('r', 'f', 1, ctx), { type: 'start' }, ctx);
    expect(result.state).toMatchObject({ status: 'failed', error: 'scope_too_large' });
    expect(sizeWithin(result.state.variables, MAX_SCOPE_CHARS)).not.toBeNull();
  });

  it("fails when one event's messages pass the output limit, dropping the failing node's message", () => {
    const big = 'y'.repeat(60_000);
    const nodes = Array.from({ length: 10 }, (_, i) => ({
      id: `m${i}`,
      type: 'send_message',
      text: '{{event.big}}',
      ...(i < 9 ? { next: `m${i + 1}` } : {}),
    }));
    const flow = makeFlow(nodes);
    const ctx = makeCtx(flow, { data: { event: { big } } });
    const result = step(newRun('r', 'f', 1, ctx), { type: 'start' }, ctx);
    expect(result.state).toMatchObject({ status: 'failed', error: 'output_too_large' });
    expect(sizeWithin(result.effects, MAX_EVENT_OUTPUT_CHARS)).not.toBeNull();
    expect(result.effects).toHaveLength(Math.floor(MAX_EVENT_OUTPUT_CHARS / 60_000));
  });

  it('fails a message whose template would render past the limit instead of building it', () => {
    const flow = makeFlow([
      { id: 'm', type: 'send_message', text: '{{event.a}}{{event.a}}{{event.a}}' },
    ]);
    const ctx = makeCtx(flow, { data: { event: { a: 'z'.repeat(30_000) } } });
    const result = step(newRun('r', 'f', 1, ctx), { type: 'start' }, ctx);
    expect(result.state).toMatchObject({ status: 'failed', error: 'value_too_large' });
    expect(result.effects).toEqual([]);
  });

  it('never throws: an exception inside a step becomes a failed run with engine_error', () => {
    const flow = makeFlow([{ id: 'm', type: 'send_message', text: 'Hi {{contact.name}}' }]);
    const contact = {};
    Object.defineProperty(contact, 'name', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const ctx = makeCtx(flow, { data: { contact } });
    const result = step(newRun('r', 'f', 1, ctx), { type: 'start' }, ctx);
    expect(result.state).toMatchObject({ status: 'failed', error: 'engine_error', nodeId: null });
    expect(isAbort(result.state.error)).toBe(true);
  });

  it('condition values past the limit fail the run, not the comparison', () => {
    const flow = makeFlow(
      [
        {
          id: 'c',
          type: 'condition',
          branches: [
            { when: { field: 'event.a', op: 'eq', value: '{{event.a}}{{event.a}}x' }, next: 'm' },
          ],
        },
        { id: 'm', type: 'send_message', text: 'equal' },
      ],
      { start: 'c' },
    );
    const ctx = makeCtx(flow, { data: { event: { a: 'q'.repeat(40_000) } } });
    const result = step(newRun('r', 'f', 1, ctx), { type: 'start' }, ctx);
    expect(result.state).toMatchObject({ status: 'failed', error: 'value_too_large' });
  });
});

describe('template bounds', () => {
  it('renders nothing past the limit and says so', () => {
    const budget = { left: MAX_RENDERED_CHARS, exceeded: false };
    const data = { variable: { s: 'w'.repeat(40_000) } };
    expect(renderTemplate('{{variable.s}}{{variable.s}}', data, budget)).toBe('');
    expect(budget.exceeded).toBe(true);
  });

  it('measures a self-nested value without serialising it', () => {
    let value: unknown[] = ['ab'];
    for (let i = 0; i < 40; i++) value = [...value, value];
    const started = performance.now();
    expect(sizeWithin(value, MAX_VALUE_CHARS)).toBeNull();
    const budget = { left: MAX_RENDERED_CHARS, exceeded: false };
    expect(renderTemplate('{{variable.s}}', { variable: { s: value } }, budget)).toBe('');
    expect(budget.exceeded).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('percent-encodes a lone surrogate in a URL instead of throwing', () => {
    const data = { variable: { q: 'a\uD800b' } };
    expect(renderUrl('https://x.example/?q={{variable.q}}', data)).toBe(
      'https://x.example/?q=a%EF%BF%BDb',
    );
  });
});

describe('simulate bounds', () => {
  it('answers the 30-node doubling chain with a failed run and a small result', () => {
    const flow = makeFlow(chain(30, doubleSelf), {
      ...variables,
      trigger: { type: 'event', name: 'go' },
    });
    const started = performance.now();
    const result = simulateFlow(flow, { events: [{ type: 'event', name: 'go' }] });
    expect(performance.now() - started).toBeLessThan(500);
    expect(result.status).toBe('failed');
    expect(result.errors.map((e) => [e.code, e.nodeId])).toEqual([['value_too_large', 'n14']]);
    expect(JSON.stringify(result).length).toBeLessThan(MAX_SIMULATE_RESPONSE_CHARS);
  });

  it('stops a simulation whose result would pass the response limit', () => {
    // Each event says 60,000 characters: 200 events would be 12 MB of transcript.
    const flow = makeFlow(
      [
        { id: 'm1', type: 'send_message', text: '{{event.big}}', next: 'm2' },
        { id: 'm2', type: 'send_message', text: '{{event.big}}' },
      ],
      { trigger: { type: 'event', name: 'go' } },
    );
    const big = 'b'.repeat(60_000);
    const events = Array.from({ length: 200 }, () => ({
      type: 'event' as const,
      name: 'go',
      props: { big },
    }));
    const result = simulateFlow(flow, { events });
    expect(result.status).toBe('failed');
    expect(result.errors.map((e) => e.code)).toContain('response_too_large');
    expect(JSON.stringify(result).length).toBeLessThanOrEqual(MAX_SIMULATE_RESPONSE_CHARS);
  });
});

describe('value shape bounds (event props)', () => {
  it('counts depth and values without recursion, and stops at the first excess', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(shapeWithin(deep, 8, 500)).toBe(false);
    // Eight objects, one inside the other, are eight levels: the most allowed here.
    let eight: unknown = 'x';
    for (let i = 0; i < 8; i++) eight = { k: eight };
    expect(shapeWithin(eight, 8, 500)).toBe(true);
    expect(shapeWithin({ k: eight }, 8, 500)).toBe(false);
    expect(shapeWithin({ list: Array.from({ length: 500 }, (_, i) => i) }, 8, 500)).toBe(false);
    expect(shapeWithin({ list: Array.from({ length: 499 }, (_, i) => i) }, 8, 500)).toBe(true);
    expect(shapeWithin('plain', 0, 0)).toBe(true);
  });
});
