import { describe, expect, inject, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, said, texts } from './runtime-helpers.ts';
import { choose, survey, surveyed } from './runtime-survey.ts';

const target = inject('httpTarget');

interface Enrollment {
  id: string;
  conversationId: string;
  subject: string;
  status: string;
  version: number;
  error: string | null;
  handedOver: boolean;
  triggeredAt: number;
  startedAt: number | null;
  endedAt: number | null;
}
interface Page {
  items: Enrollment[];
  nextCursor: string | null;
}

const list = async (flowId: string, query = '') =>
  json<Page>(await call(`/v1/admin/flows/${flowId}/enrollments${query}`));

/** Waits until the queue consumer has written what the conversations did. */
const settled = (flowId: string, expected: Record<string, number>) =>
  eventually(
    async () => {
      const { items } = await list(flowId);
      const counts: Record<string, number> = {};
      for (const item of items) counts[item.status] = (counts[item.status] ?? 0) + 1;
      return counts;
    },
    (counts) => JSON.stringify(counts) === JSON.stringify(expected),
    `enrollments ${JSON.stringify(expected)}`,
  );

/** Lets the clock move past `at`, so "before" and "after" are distinct milliseconds. */
async function after(at: number) {
  while (Date.now() <= at) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('enrollment logs', () => {
  it('lists runs newest first, filtered by status, time range and search, each with every step', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, survey(`${target}/order`));
    const early = await surveyed(publicKey);
    choose(early, 'yes');
    await said(early.socket, 'Thanks, yes!');
    const waiting = await surveyed(publicKey);
    await settled(flowId, { waiting: 1, completed: 1 });
    const mid = Date.now();
    await after(mid);
    const late = await surveyed(publicKey);
    await settled(flowId, { waiting: 2, completed: 1 });

    const ids = (page: Page) => page.items.map((i) => i.conversationId);
    expect(ids(await list(flowId))).toEqual([
      late.conversationId,
      waiting.conversationId,
      early.conversationId,
    ]);
    expect(ids(await list(flowId, '?status=completed'))).toEqual([early.conversationId]);
    expect(ids(await list(flowId, '?status=waiting'))).toEqual([
      late.conversationId,
      waiting.conversationId,
    ]);
    expect(ids(await list(flowId, `?from=${mid + 1}`))).toEqual([late.conversationId]);
    expect(ids(await list(flowId, `?to=${mid + 1}`))).toEqual([
      waiting.conversationId,
      early.conversationId,
    ]);
    expect(ids(await list(flowId, `?q=${waiting.conversationId}`))).toEqual([
      waiting.conversationId,
    ]);
    expect(ids(await list(flowId, `?q=visitor:${late.visitorId}`))).toEqual([late.conversationId]);
    const first = await list(flowId, '?limit=2');
    expect(ids(first)).toEqual([late.conversationId, waiting.conversationId]);
    expect(ids(await list(flowId, `?limit=2&cursor=${first.nextCursor}`))).toEqual([
      early.conversationId,
    ]);

    const done = (await list(flowId, '?status=completed')).items[0]!;
    expect(done).toMatchObject({ version: 1, error: null, handedOver: false });
    expect(done.startedAt).not.toBeNull();
    expect(done.endedAt).not.toBeNull();
    const detail = await json<{
      steps: {
        nodeId: string;
        nodeType: string;
        version: number;
        status: string;
        choice: string | null;
        at: number;
        durationMs: number;
        error: string | null;
      }[];
    }>(await call(`/v1/admin/enrollments/${done.id}`));
    expect(
      detail.steps.map((s) => [s.nodeId, s.nodeType, s.version, s.status, s.choice, s.error]),
    ).toEqual([
      ['q', 'ask_question', 1, 'waiting', null, null],
      ['q', 'ask_question', 1, 'completed', 'yes', null],
      ['thanks', 'send_message', 1, 'completed', null, null],
    ]);
    expect(detail.steps.every((s) => s.at >= done.triggeredAt && s.durationMs >= 0)).toBe(true);

    const bad = await call(`/v1/admin/flows/${flowId}/enrollments?status=lost`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { issues: [{ path: 'query.status' }] } });
    expect((await call('/v1/admin/enrollments/run_missing')).status).toBe(404);
    for (const v of [early, waiting, late]) v.socket.close();
  });

  it('unenrolls a waiting run without deleting the chat, and retry starts the published flow again', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, survey(`${target}/order`));
    const visitor = await surveyed(publicKey);
    await settled(flowId, { waiting: 1 });
    const [run] = (await list(flowId)).items;

    const unenrolled = await call(`/v1/admin/enrollments/${run!.id}/unenroll`, { method: 'POST' });
    expect(await json(unenrolled)).toEqual({ id: run!.id, cancelled: true });
    await settled(flowId, { cancelled: 1 });
    expect((await list(flowId)).items[0]).toMatchObject({
      status: 'cancelled',
      error: 'unenrolled',
    });
    const again = await call(`/v1/admin/enrollments/${run!.id}/unenroll`, { method: 'POST' });
    expect(await json(again)).toEqual({ id: run!.id, cancelled: false });
    visitor.socket.send({ type: 'message', text: 'hello?' });
    await said(visitor.socket, 'Fallback answer.');

    const retried = await call(`/v1/admin/enrollments/${run!.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(201);
    const body = await json<{ runId: string; resumed: boolean }>(retried);
    expect(body.resumed).toBe(false);
    expect(body.runId).not.toBe(run!.id);
    await visitor.socket.waitForMessages(
      (m) => m.filter((x) => x.text === 'Happy with us?').length === 2,
      'the question asked again',
    );
    expect(texts(visitor.socket)).toEqual([
      ['pilot', 'Happy with us?'],
      ['visitor', 'hello?'],
      ['pilot', 'Fallback answer.'],
      ['pilot', 'Happy with us?'],
    ]);
    const busy = await call(`/v1/admin/enrollments/${run!.id}/retry`, { method: 'POST' });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ error: { code: 'conflict' } });
    await settled(flowId, { waiting: 1, cancelled: 1 });
    visitor.socket.close();
  });

  it('retries a failed run from the step that failed, keeping its answers', async () => {
    const { pilotId, publicKey } = await createPilot();
    const tag = crypto.randomUUID();
    // The webhook target fails once (a POST is never retried automatically), then succeeds.
    const { flowId } = await publishFlow(pilotId, survey(`${target}/flaky?fail=1&tag=${tag}`));
    const visitor = await surveyed(publicKey);
    choose(visitor, 'no');
    await settled(flowId, { failed: 1 });
    const [failed] = (await list(flowId)).items;
    expect(failed).toMatchObject({ status: 'failed', error: 'http_503' });

    const retried = await call(`/v1/admin/enrollments/${failed!.id}/retry`, { method: 'POST' });
    expect(await json(retried)).toEqual({ runId: failed!.id, resumed: true });
    await said(visitor.socket, 'Sorry to hear that');
    await settled(flowId, { completed: 1 });
    const detail = await json<{ status: string; steps: { nodeId: string; status: string }[] }>(
      await call(`/v1/admin/enrollments/${failed!.id}`),
    );
    expect(detail.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ['q', 'waiting'],
      ['q', 'completed'],
      ['call', 'waiting'],
      ['call', 'failed'],
      ['call', 'waiting'],
      ['call', 'completed'],
      ['sorry', 'completed'],
    ]);
    expect(texts(visitor.socket)).toEqual([
      ['pilot', 'Happy with us?'],
      ['visitor', 'No'],
      ['pilot', 'Sorry to hear that, we will call.'],
    ]);
    visitor.socket.close();
  });
});
