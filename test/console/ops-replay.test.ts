import { describe, expect, it } from 'vitest';
import { pathMarks, replayMarks, takenEdges } from '../../console/editor/model/path-marks.ts';
import {
  comparePaths,
  MAX_REPLAY_EVENTS,
  MAX_STUBS_PER_STEP,
  type RecordedMessage,
  type RecordedStep,
  recordedPath,
  replayInputs,
} from '../../console/ops/replay.ts';
import { simulateRequestSchema } from '../../shared/engine/simulate-schema.ts';
import type { Flow } from '../../shared/flow/schema.ts';

let seq = 0;
const step = (
  nodeId: string,
  nodeType: string,
  status: string,
  extra: Partial<RecordedStep> = {},
): RecordedStep => ({
  seq: ++seq,
  nodeId,
  nodeType,
  status,
  port: null,
  choice: null,
  error: null,
  at: 1000 + seq,
  ...extra,
});

const msg = (
  author: RecordedMessage['author'],
  text: string,
  at: number,
  choices?: RecordedMessage['choices'],
): RecordedMessage => ({
  author,
  text,
  at,
  ...(choices ? { choices } : {}),
});

const flow: Flow = {
  schemaVersion: 1,
  pilotId: 'p',
  name: 'f',
  trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
  start: 'ask',
  nodes: [
    {
      id: 'ask',
      type: 'ask_question',
      text: 'Need a hand?',
      input: {
        kind: 'buttons',
        options: [
          { label: 'Human', value: 'human', next: 'handover' },
          { label: 'Browse', value: 'browse', next: 'bye' },
        ],
      },
    },
    { id: 'handover', type: 'handover', message: 'x', next: 'done', unavailable: 'bye' },
    { id: 'bye', type: 'send_message', text: 'Bye', next: 'done' },
    { id: 'done', type: 'end' },
  ],
} as Flow;

describe('replaying a recorded run', () => {
  it('collapses a resumed wait into one visit and leaves cancelled steps out, as simulate does', () => {
    const steps = [
      step('ask', 'ask_question', 'waiting'),
      step('ask', 'ask_question', 'waiting', { error: 'invalid' }),
      step('ask', 'ask_question', 'completed', { port: 'option:human', choice: 'human' }),
      step('handover', 'handover', 'completed', { port: 'next' }),
      step('done', 'end', 'cancelled'),
    ];
    expect(recordedPath(steps)).toEqual(['ask', 'handover']);
  });

  it('turns the page, button answers, typed messages and I/O ports into a valid simulate request', () => {
    const run = {
      triggeredAt: 1000,
      endedAt: 5000,
      steps: [
        step('ask', 'ask_question', 'waiting'),
        step('ask', 'ask_question', 'completed', { port: 'option:human', choice: 'human' }),
        step('hook', 'http_request', 'completed', { port: 'onError', error: 'timeout' }),
        step('answer', 'ai_answer', 'completed', { port: 'noAnswer' }),
        step('handover', 'handover', 'completed', { port: 'unavailable' }),
      ],
    };
    const messages = [
      msg('visitor', 'before the run', 500),
      msg('pilot', 'Need a hand?', 1100, [{ label: 'Human', value: 'human' }]),
      msg('visitor', 'Human', 1200),
      msg('visitor', 'what are your prices?', 1300),
      msg('agent', 'hello', 1400),
      msg('visitor', 'after the run', 6000),
    ];
    const out = replayInputs(run, messages, 'https://shop.example/pricing');
    expect(out.request.events).toEqual([
      { type: 'page_view', url: 'https://shop.example/pricing' },
      { type: 'choice', value: 'human' },
      { type: 'message', text: 'what are your prices?' },
    ]);
    expect(out.request.context?.effectResults).toEqual({
      hook: [{ ok: false, error: 'timeout' }],
      answer: [{ outcome: 'no_answer' }],
    });
    expect(out.request.context?.agentsAvailable).toBe(false);
    expect(out.request.context?.now).toBe(new Date(1000).toISOString());
    expect(out).toMatchObject({ total: 5, replayed: 5 });
    expect(simulateRequestSchema.safeParse(out.request).success).toBe(true);
  });

  it('says what it could not replay: an unknown page and choices missing from the transcript', () => {
    const run = {
      triggeredAt: 0,
      endedAt: null,
      steps: [
        step('ask', 'ask_question', 'completed', { port: 'option:browse', choice: 'browse' }),
      ],
    };
    const out = replayInputs(run, [], null);
    expect(out.replayed).toBe(0);
    expect(out.total).toBe(2);
    expect(out.missing.join(' ')).toMatch(/page the visitor was on/);
    expect(out.missing.join(' ')).toMatch(/1 button choices missing/);
  });

  it('stays within what simulate accepts however long the run was', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => msg('visitor', `m${i}`, 10 + i));
    const steps = Array.from({ length: 120 }, () =>
      step('hook', 'http_request', 'completed', { port: 'next' }),
    );
    const out = replayInputs(
      { triggeredAt: 0, endedAt: null, steps },
      messages,
      'https://a.example/',
    );
    expect(out.request.events).toHaveLength(MAX_REPLAY_EVENTS);
    expect(out.request.context?.effectResults?.hook).toHaveLength(MAX_STUBS_PER_STEP);
    expect(out.total).toBe(1 + 1000 + 120);
    expect(out.replayed).toBe(MAX_REPLAY_EVENTS + MAX_STUBS_PER_STEP);
    expect(out.missing.join(' ')).toMatch(/801 later visitor turns/);
    expect(simulateRequestSchema.safeParse(out.request).success).toBe(true);
  });
});

describe('comparing a recorded path with the draft path', () => {
  it('finds the first divergent step and the steps only on one side', () => {
    const diff = comparePaths(['ask', 'handover', 'done'], ['ask', 'bye', 'done']);
    expect(diff).toEqual({
      firstDivergence: 1,
      recordedAt: 'handover',
      replayedAt: 'bye',
      onlyRecorded: ['handover'],
      onlyReplayed: ['bye'],
    });
  });

  it('reports no divergence for the same path and an ended path as null', () => {
    expect(comparePaths(['a', 'b'], ['a', 'b']).firstDivergence).toBeNull();
    expect(comparePaths(['a', 'b'], ['a'])).toMatchObject({
      firstDivergence: 1,
      recordedAt: 'b',
      replayedAt: null,
    });
  });
});

describe('path marks on the canvas', () => {
  it('lights the path, marks the failed step and the current one', () => {
    expect([...pathMarks(['ask', 'hook'], { failed: 'hook' })]).toEqual([
      ['ask', 'path'],
      ['hook', 'failed'],
    ]);
    expect([...pathMarks(['a', 'b', 'c'], { upTo: 2, current: true })]).toEqual([
      ['a', 'path'],
      ['b', 'current'],
    ]);
  });

  it('lights the connections between consecutive steps, from the trigger on', () => {
    expect([...takenEdges(flow, ['ask', 'handover', 'done'])].sort()).toEqual([
      '__trigger__|start',
      'ask|input.options[0].next',
      'handover|next',
    ]);
  });

  it('marks where the replay diverges and the steps only on one side', () => {
    const marks = replayMarks(
      ['ask', 'bye', 'done'],
      comparePaths(['ask', 'handover', 'done'], ['ask', 'bye', 'done']),
    );
    expect(Object.fromEntries(marks)).toEqual({
      ask: 'path',
      bye: 'diverged',
      done: 'path',
      handover: 'run-only',
    });
  });
});
