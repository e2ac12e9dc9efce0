import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DROPPED_AFTER_MS } from '../../worker/routes/admin/insights.ts';
import { call } from '../helpers/admin.ts';
import {
  createPilot,
  eventually,
  indexed,
  json,
  publishFlow,
  said,
  visit,
} from './runtime-helpers.ts';
import { choose, survey, surveyed } from './runtime-survey.ts';

interface Insights {
  totals: Record<string, number>;
  nodes: { nodeId: string; nodeType: string; entered: number; completed: number; failed: number }[];
  choices: { nodeId: string; choice: string; count: number }[];
}

const insights = async (flowId: string, query = '') =>
  json<Insights>(await call(`/v1/admin/flows/${flowId}/insights${query}`));

const ZERO = {
  triggered: 0,
  started: 0,
  completed: 0,
  dropped: 0,
  handedOver: 0,
  failed: 0,
  cancelled: 0,
};

describe('insights', () => {
  it('counts triggered, started, completed, dropped, handed over, failed and cancelled runs, per node and per choice', async () => {
    const { pilotId, publicKey } = await createPilot();
    // "No" goes to a webhook the SSRF guard blocks and has no onError: that run fails.
    const { flowId } = await publishFlow(pilotId, survey('http://10.0.0.1/hook'));

    const happy = await surveyed(publicKey);
    choose(happy, 'yes');
    await said(happy.socket, 'Thanks, yes!');
    const silent = await surveyed(publicKey);
    const unhappy = await surveyed(publicKey);
    choose(unhappy, 'no');
    const handedOver = await surveyed(publicKey);
    await indexed(handedOver.conversationId);
    await call(`/v1/admin/conversations/${handedOver.conversationId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'An agent here.' }),
    });
    const unenrolled = await surveyed(publicKey);

    const expected = {
      triggered: 5,
      started: 2,
      completed: 1,
      dropped: 0,
      handedOver: 1,
      failed: 1,
      cancelled: 1,
    };
    // The unenroll needs the run's id from the log; the other four are already there.
    const before = { ...expected, cancelled: 0, handedOver: 1 };
    await eventually(
      () => insights(flowId),
      (i) => JSON.stringify(i.totals) === JSON.stringify(before),
      'insights before the unenroll',
    );
    const runs = await json<{ items: { id: string; conversationId: string }[] }>(
      await call(`/v1/admin/flows/${flowId}/enrollments?q=${unenrolled.conversationId}`),
    );
    await call(`/v1/admin/enrollments/${runs.items[0]!.id}/unenroll`, { method: 'POST' });
    const result = await eventually(
      () => insights(flowId),
      (i) => JSON.stringify(i.totals) === JSON.stringify(expected),
      'insights after the unenroll',
    );

    expect(
      result.nodes.map((n) => [n.nodeId, n.nodeType, n.entered, n.completed, n.failed]),
    ).toEqual([
      ['q', 'ask_question', 5, 2, 0],
      ['call', 'http_request', 1, 0, 1],
      ['thanks', 'send_message', 1, 1, 0],
    ]);
    expect(result.choices.map((c) => [c.nodeId, c.choice, c.count]).sort()).toEqual([
      ['q', 'no', 1],
      ['q', 'yes', 1],
    ]);
    expect((await insights(flowId, '?version=2')).totals).toEqual(ZERO);
    expect((await insights(flowId, `?from=${Date.now() + 60_000}`)).totals).toEqual(ZERO);
    expect((await insights(flowId, `?version=1&to=${Date.now() + 1}`)).totals).toEqual(expected);
    // A waiting run nobody touched for longer than the idle limit counts as dropped (the log's
    // clock is moved back instead of waiting half an hour).
    await env.DB.prepare(
      'UPDATE enrollments SET updated_at = updated_at - ? WHERE conversation_id = ?',
    )
      .bind(DROPPED_AFTER_MS + 1000, silent.conversationId)
      .run();
    expect((await insights(flowId)).totals).toEqual({ ...expected, dropped: 1 });
    const bad = await call(`/v1/admin/flows/${flowId}/insights?version=zero`);
    expect(bad.status).toBe(400);
    for (const v of [happy, silent, unhappy, handedOver, unenrolled]) v.socket.close();
  });

  it('counts a proactive run as started only when the visitor answers, whatever the answer', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, {
      name: 'Proactive',
      trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '/pricing' }] },
      variables: [{ name: 'email', type: 'text' }],
      start: 'hi',
      nodes: [
        { id: 'hi', type: 'send_message', text: 'Questions about pricing?', next: 'ask' },
        {
          id: 'ask',
          type: 'ask_question',
          text: 'What is your email?',
          input: { kind: 'email' },
          saveTo: 'variable.email',
          next: 'bye',
        },
        { id: 'bye', type: 'send_message', text: 'We will write.' },
      ],
    });
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'page_view', page: { url: 'https://shop.example/pricing' } });
    await said(visitor.socket, 'What is your email?');
    const triggeredOnly = await eventually(
      () => insights(flowId),
      (i) => i.totals.triggered === 1,
      'the triggered run',
    );
    expect(triggeredOnly.totals).toMatchObject({ triggered: 1, started: 0 });
    // An invalid answer is still an interaction: the run is started from then on.
    visitor.socket.send({ type: 'message', text: 'not an email' });
    const started = await eventually(
      () => insights(flowId),
      (i) => i.totals.started === 1,
      'the started run',
    );
    expect(started.totals).toMatchObject({ triggered: 1, started: 1, completed: 0 });
    visitor.socket.close();
  });
});

describe('live view', () => {
  it('streams a snapshot and then each change of the pilot’s conversations to admin subscribers', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, survey('http://10.0.0.1/hook'));
    const response = await call(`/v1/admin/live/socket?pilotId=${pilotId}`, {
      headers: { upgrade: 'websocket' },
    });
    const ws = response.webSocket;
    if (!ws) throw new Error(`live socket refused: ${response.status}`);
    ws.accept();
    const frames: {
      type: string;
      items: {
        conversationId: string;
        nodeId: string | null;
        flowId: string | null;
        lastMessage: string | null;
      }[];
    }[] = [];
    ws.addEventListener('message', (event) => {
      frames.push(JSON.parse(String(event.data)));
    });

    const visitor = await surveyed(publicKey);
    const waiting = await eventually(
      async () => frames.flatMap((f) => (f.type === 'changes' ? f.items : [])),
      (items) => items.some((i) => i.nodeId === 'q'),
      'a change with the conversation waiting on the question',
    );
    expect(frames[0]).toEqual({ type: 'snapshot', items: [] });
    expect(waiting.find((i) => i.nodeId === 'q')).toMatchObject({
      conversationId: visitor.conversationId,
      lastMessage: 'Happy with us?',
    });
    choose(visitor, 'yes');
    await eventually(
      async () => frames.flatMap((f) => (f.type === 'changes' ? f.items : [])),
      (items) => items.some((i) => i.lastMessage === 'Thanks, yes!' && i.flowId === null),
      'a change with the finished run',
    );
    const listed = await json<{ items: { conversationId: string }[] }>(
      await call(`/v1/admin/live?pilotId=${pilotId}`),
    );
    expect(listed.items.map((i) => i.conversationId)).toEqual([visitor.conversationId]);

    const refused = await call('/v1/admin/live/socket?pilotId=pilot_nope', {
      headers: { upgrade: 'websocket' },
    });
    expect(refused.status).toBe(404);
    ws.close();
    visitor.socket.close();
  });
});
