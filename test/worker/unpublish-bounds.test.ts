/**
 * Unpublish cancels a flow's running runs in bounded batches (worker/pilot/cancel-flow-runs.ts).
 * Visitors decide how many conversations wait on a flow; before, the admin request called every
 * one of them in turn (100,000 runs: 100,000 Durable Object calls in one request, past the
 * subrequest and time limits). This config binds CANCEL_RUNS_BATCH=2 (50 deployed), so five
 * waiting visitors are more than one batch: the request cancels two and says more are pending,
 * and each run of the pilot object's alarm cancels two more until none is left.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CANCEL_CALL_TIMEOUT_MS } from '../../worker/pilot/cancel-flow-runs.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, said, visit } from './runtime-helpers.ts';

const BATCH = 2;
const VISITORS = 5;

const question = {
  name: 'Question',
  trigger: { type: 'event' as const, name: 'go' },
  variables: [{ name: 'answer', type: 'text' as const }],
  start: 'q',
  nodes: [
    {
      id: 'q',
      type: 'ask_question' as const,
      text: 'What do you need?',
      input: { kind: 'text' as const },
      saveTo: 'variable.answer',
      next: 'done',
    },
    { id: 'done', type: 'end' as const },
  ],
};

/** A pilot whose flow has VISITORS conversations waiting on its question, all in the enrollment log. */
async function waitingVisitors() {
  const { pilotId, publicKey } = await createPilot();
  const { flowId } = await publishFlow(pilotId, question);
  const visitors = [];
  for (let n = 0; n < VISITORS; n++) {
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'go' });
    await said(visitor.socket, 'What do you need?');
    visitors.push(visitor);
  }
  // What unpublish reads (the enrollment log and the live view are both fed by the queue).
  await eventually(
    async () =>
      (
        await json<{ items: { status: string }[] }>(
          await call(`/v1/admin/flows/${flowId}/enrollments?limit=50`),
        )
      ).items,
    (items) => items.filter((i) => i.status === 'waiting').length === VISITORS,
    `${VISITORS} waiting enrollments`,
  );
  const stubs = visitors.map((v) =>
    env.CONVERSATION.get(env.CONVERSATION.idFromName(v.conversationId)),
  );
  const waiting = async () => {
    let n = 0;
    for (const stub of stubs) {
      const state: unknown = await stub.activeRunState();
      if (typeof state === 'object' && state && 'status' in state && state.status === 'waiting')
        n++;
    }
    return n;
  };
  const pilot = env.PILOT.get(env.PILOT.idFromName(pilotId));
  /**
   * Whether the pilot's object has asked for its next batch (an alarm is set); the test then
   * removes that alarm and runs the batches itself, so a busy machine cannot let the real alarm
   * (1 s later) run one in between two checks.
   */
  const takeAlarm = () =>
    runInDurableObject(pilot, async (_instance, state) => {
      const set = (await state.storage.getAlarm()) !== null;
      await state.storage.deleteAlarm();
      return set;
    });
  /** One alarm of the pilot's object, as the runtime would deliver it (possibly again). */
  const alarm = () => runInDurableObject(pilot, (instance) => instance.alarm());
  return { flowId, visitors, waiting, pilot, takeAlarm, alarm };
}

describe('unpublish with more running runs than one batch', () => {
  it(`cancels ${BATCH} in the request, says more are pending, and the alarm cancels the rest ${BATCH} at a time`, async () => {
    const { flowId, visitors, waiting, pilot, takeAlarm, alarm } = await waitingVisitors();
    expect(await waiting()).toBe(VISITORS);

    const res = await call(`/v1/admin/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(res.status).toBe(200);
    const alarmSet = await takeAlarm();
    // The request did one batch and no more (before: all five, one call each), and left the
    // rest to the pilot object's alarm.
    expect(await waiting()).toBe(VISITORS - BATCH);
    expect(alarmSet).toBe(true);
    const body = await json<{
      publishedVersion: number | null;
      runsCancelled: number;
      runsPending: boolean;
    }>(res);
    expect(body).toMatchObject({ publishedVersion: null, runsCancelled: BATCH, runsPending: true });

    await alarm();
    expect(await takeAlarm()).toBe(true);
    expect(await waiting()).toBe(VISITORS - 2 * BATCH);
    await alarm();
    expect(await waiting()).toBe(0);
    // The job is over: no row, no alarm left.
    await runInDurableObject(pilot, async (_instance, state) => {
      expect(state.storage.sql.exec('SELECT * FROM cancel_jobs').toArray()).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
    // Every run ended as cancelled/unpublished in the enrollment log; the chats stay usable.
    await eventually(
      async () =>
        (
          await json<{ items: { status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments?limit=50`),
          )
        ).items,
      (items) =>
        items.length === VISITORS &&
        items.every((i) => i.status === 'cancelled' && i.error === 'unpublished'),
      'every enrollment cancelled',
    );
    visitors[0]?.socket.send({ type: 'message', text: 'still there?' });
    await said(visitors[0]!.socket, 'Fallback answer.');
    for (const visitor of visitors) visitor.socket.close();
  });

  it('an alarm delivered again after the job ended changes nothing, and a flow published again stops its job', async () => {
    const { flowId, visitors, waiting, pilot, takeAlarm, alarm } = await waitingVisitors();
    const res = await call(`/v1/admin/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(await json<{ runsCancelled: number }>(res)).toMatchObject({ runsCancelled: BATCH });
    expect(await takeAlarm()).toBe(true);
    await alarm();
    await takeAlarm();
    expect(await waiting()).toBe(VISITORS - 2 * BATCH);
    // Published again before the job ends: its next batch stops the job; the last run keeps
    // waiting on the flow, which is live again.
    const published = await call(`/v1/admin/flows/${flowId}/publish`, {
      method: 'POST',
      body: '{}',
    });
    expect(published.status).toBe(200);
    await alarm();
    expect(await waiting()).toBe(VISITORS - 2 * BATCH);
    await runInDurableObject(pilot, async (_instance, state) => {
      expect(state.storage.sql.exec('SELECT * FROM cancel_jobs').toArray()).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
    // At-least-once: the same alarm again finds no job and does nothing.
    await alarm();
    expect(await waiting()).toBe(VISITORS - 2 * BATCH);
    for (const visitor of visitors) visitor.socket.close();
  });

  it(`answers within its bound while a conversation of the batch is held up, and the alarm redoes that batch`, async () => {
    const { flowId, visitors, waiting } = await waitingVisitors();
    // The request's batch is the first BATCH conversation ids in order: hold the first of them.
    const [slowId, otherId] = visitors.map((v) => v.conversationId).sort();
    const slow = env.CONVERSATION.get(env.CONVERSATION.idFromName(slowId!));
    // A real slow conversation: its object takes no event (the cancel call included) for 10 s,
    // twice the per-call bound. Plain variables, no promise settled inside the object.
    const HOLD_MS = 2 * CANCEL_CALL_TIMEOUT_MS;
    let blockStartedAt = 0;
    let blockEndedAt = 0;
    const held = runInDurableObject(slow, (_instance, state) =>
      state.blockConcurrencyWhile(async () => {
        blockStartedAt = Date.now();
        await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
        blockEndedAt = Date.now();
      }),
    );
    await eventually(async () => blockStartedAt, Boolean, 'the hold to start');

    const res = await call(`/v1/admin/flows/${flowId}/unpublish`, { method: 'POST' });
    // Answered while the slow conversation is still held: the request gave up on it after
    // CANCEL_CALL_TIMEOUT_MS instead of waiting for the visitor's object.
    expect(blockEndedAt).toBe(0);
    expect(res.status).toBe(200);
    // The other conversation of the batch was cancelled; the slow one is left to the alarm.
    expect(await json(res)).toMatchObject({
      publishedVersion: null,
      runsCancelled: 1,
      runsPending: true,
    });
    const other = env.CONVERSATION.get(env.CONVERSATION.idFromName(otherId!));
    expect(await other.activeRunState()).toBeNull();

    await held;
    // The cursor stayed, so the pilot object's alarms (real ones here, 1 s apart, without a
    // timeout) redo that batch and go on: every run ends, the slow one included.
    await eventually(waiting, (n) => n === 0, 'every run cancelled by the alarms', 20_000);
    expect(await slow.activeRunState()).toBeNull();
    for (const visitor of visitors) visitor.socket.close();
  }, 40_000);
});
