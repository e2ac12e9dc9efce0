/**
 * Replay (SPEC 3.6 rule 8): the runtime records each event it fed a run with the clock and
 * facts of that moment; feeding the same records to a fresh run reproduces the same path,
 * messages and effects, even with the state stored as JSON between events.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newRun, step } from '../../shared/engine/engine.ts';
import type {
  EngineContext,
  EngineEvent,
  RunState,
  StepResult,
} from '../../shared/engine/types.ts';
import { flowSchema } from '../../shared/flow/schema.ts';

const flow = flowSchema.parse(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '../../examples/flows/order-lookup.json'), 'utf8'),
  ),
);

interface Recorded {
  event: EngineEvent;
  now: number;
  data: Record<string, unknown>;
}

/** What a live ConversationObject does: step, store the state as JSON, record the input. */
function live(records: Recorded[]): { results: StepResult[]; stored: string } {
  const ctx = (r: Recorded): EngineContext => ({
    flow,
    now: r.now,
    data: r.data,
    conversationId: 'conv-9',
  });
  let stored = JSON.stringify(newRun('run-9', 'flow-orders', 3, ctx(records[0] as Recorded)));
  const results: StepResult[] = [];
  for (const record of records) {
    const result = step(JSON.parse(stored) as RunState, record.event, ctx(record));
    stored = JSON.stringify(result.state);
    results.push(result);
  }
  return { results, stored };
}

describe('replay', () => {
  const t0 = Date.parse('2026-11-24T10:00:00Z');
  const data = { contact: { email: 'a@b.c' }, pilot: { orders_api_token: 'tok' } };
  const records: Recorded[] = [
    { event: { type: 'start' }, now: t0, data },
    { event: { type: 'input', text: 'SO-1' }, now: t0 + 5_000, data },
    { event: { type: 'input', text: 'SO-20001' }, now: t0 + 9_000, data },
    {
      event: {
        type: 'effect_result',
        nodeId: 'lookup',
        ok: true,
        data: { status: 200, body: { order: { status: 'packed' } } },
      },
      now: t0 + 9_400,
      data,
    },
  ];

  it('the same recorded events and effect results reproduce the same path and messages', () => {
    const original = live(records);
    const replayed = live(JSON.parse(JSON.stringify(records)) as Recorded[]);
    expect(replayed).toEqual(original);

    const path = original.results.flatMap((r) => r.log.map((l) => `${l.nodeId}:${l.status}`));
    expect(path).toEqual([
      // No `entity.order_number` in the data: the flow asks for it.
      'have_number:completed',
      'ask_order:waiting',
      'ask_order:completed',
      'count:completed',
      'check_format:completed',
      'bad_format:completed',
      'ask_order:waiting',
      'ask_order:completed',
      'count:completed',
      'check_format:completed',
      'lookup:waiting',
      'lookup:completed',
      'report:completed',
      'other_status:completed',
      'done:completed',
    ]);
    const says = original.results.flatMap((r) =>
      r.effects.flatMap((e) => (e.type === 'say' ? [e.text] : [])),
    );
    expect(says.at(-1)).toBe('Order SO-20001 is currently: packed.');
    expect(JSON.parse(original.stored)).toMatchObject({ status: 'completed', version: 3 });
  });

  it('the step log carries node, time, version, status and duration for enrollment logs', () => {
    const { results } = live(records);
    expect(results[3]?.log[0]).toEqual({
      nodeId: 'lookup',
      nodeType: 'http_request',
      at: t0 + 9_400,
      version: 3,
      status: 'completed',
      durationMs: 400,
      port: 'next',
    });
  });

  it('effects keep stable idempotency keys across a replay', () => {
    const keys = (r: StepResult[]) =>
      r.flatMap((x) => x.effects.flatMap((e) => ('idempotencyKey' in e ? [e.idempotencyKey] : [])));
    expect(keys(live(records).results)).toEqual(keys(live(records).results));
    expect(keys(live(records).results)).toEqual(['run-9:8:lookup']);
  });
});
