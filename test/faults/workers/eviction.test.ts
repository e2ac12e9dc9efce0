import { abortAllDurableObjects, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call } from '../../helpers/admin.ts';
import { createPilot, json, publishFlow } from '../../worker/runtime-helpers.ts';
import { enrollmentReaching, lines, requestsSeen, target, Visitor } from './fault-helpers.ts';

const say = (id: string, text: string, next?: string) => ({
  id,
  type: 'send_message' as const,
  text,
  ...(next ? { next } : {}),
});

/** A flow with a question, a webhook, a button question and an email between the visitor's turns. */
async function onboardingPilot(tag: string) {
  const { pilotId, publicKey } = await createPilot();
  const { flowId } = await publishFlow(pilotId, {
    name: 'Onboarding under faults',
    trigger: { type: 'event', name: 'go' },
    variables: [
      { name: 'name', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'plan', type: 'text' },
    ],
    start: 'hi',
    nodes: [
      say('hi', 'Hello', 'askName'),
      {
        id: 'askName',
        type: 'ask_question',
        text: 'Your name?',
        input: { kind: 'text' },
        saveTo: 'variable.name',
        next: 'call',
      },
      {
        id: 'call',
        type: 'http_request',
        method: 'POST',
        url: `${target}/ok?tag=${tag}`,
        body: { name: '{{variable.name}}' },
        timeoutMs: 5000,
        saveResponse: [{ path: '$.n', to: 'variable.n' }],
        next: 'saved',
        onError: 'failed',
      },
      say('saved', 'Saved {{variable.name}} as call {{variable.n}}', 'askPlan'),
      {
        id: 'askPlan',
        type: 'ask_question',
        text: 'Which plan?',
        input: {
          kind: 'buttons',
          options: [
            { label: 'Basic', value: 'basic' },
            { label: 'Pro', value: 'pro' },
          ],
        },
        saveTo: 'variable.plan',
        next: 'mail',
      },
      {
        id: 'mail',
        type: 'send_email',
        to: 'sales@example.com',
        subject: `Lead ${tag}`,
        body: 'Plan {{variable.plan}}',
        next: 'done',
      },
      say('done', 'Done: {{variable.plan}}'),
      say('failed', 'Request failed'),
    ],
  });
  return { publicKey, flowId };
}

const EXPECTED = [
  ['pilot', 'Hello'],
  ['pilot', 'Your name?'],
  ['visitor', 'Ada'],
  ['pilot', 'Saved Ada as call 1'],
  ['pilot', 'Which plan?'],
  ['visitor', 'Pro'],
  ['pilot', 'Done: pro'],
];

async function emailsWithSubject(subject: string) {
  const outbox = await json<{ items: { subject: string }[] }>(await call('/v1/admin/outbox'));
  return outbox.items.filter((e) => e.subject === subject);
}

describe('Durable Object eviction at every step', () => {
  for (const webSockets of ['hibernate', 'close'] as const) {
    it(`finishes the flow exactly once when the object is evicted after every step (sockets ${webSockets === 'close' ? 'closed' : 'hibernated'})`, async () => {
      const tag = crypto.randomUUID();
      const { publicKey, flowId } = await onboardingPilot(tag);
      const visitor = await Visitor.start(publicKey);
      const evict = async () => {
        await evictDurableObject(visitor.stub, { webSockets });
        if (webSockets === 'close') await visitor.reconnect();
      };
      await evict();
      visitor.send({ type: 'event', name: 'go' });
      await visitor.said('Your name?');
      await evict();
      visitor.send({ type: 'message', text: 'Ada' });
      await visitor.said('Which plan?');
      await evict();
      visitor.send({ type: 'choice', seq: visitor.question().seq, value: 'pro' });
      await visitor.said('Done');
      await evict();
      // A fresh tab after the last eviction sees the same conversation, once.
      await visitor.reconnect();
      expect(lines(visitor.transcript())).toEqual(EXPECTED);
      expect(visitor.transcript().map((m) => m.seq)).toEqual(EXPECTED.map((_, i) => i + 1));
      expect(await requestsSeen(tag)).toHaveLength(1);
      expect(await emailsWithSubject(`Lead ${tag}`)).toHaveLength(1);
      await enrollmentReaching(flowId, visitor.conversationId, 'completed');
      visitor.close();
    });
  }

  it('loses and repeats nothing when the object is evicted right after each frame, mid-turn', async () => {
    const tag = crypto.randomUUID();
    const { publicKey, flowId } = await onboardingPilot(tag);
    const visitor = await Visitor.start(publicKey);
    const frames: Record<string, unknown>[] = [
      { type: 'event', name: 'go' },
      { type: 'message', text: 'Ada' },
    ];
    const waits = ['Your name?', 'Which plan?'];
    for (const [i, frame] of frames.entries()) {
      visitor.send(frame);
      // No wait for the answer: the eviction races the turn and the webhook after it.
      await evictDurableObject(visitor.stub, { webSockets: 'close' }).catch(() => {});
      await visitor.reconnect();
      await visitor.said(waits[i] ?? '');
    }
    visitor.send({ type: 'choice', seq: visitor.question().seq, value: 'pro' });
    await evictDurableObject(visitor.stub, { webSockets: 'close' }).catch(() => {});
    await visitor.reconnect();
    await visitor.said('Done');
    expect(lines(visitor.transcript())).toEqual(EXPECTED);
    expect(await requestsSeen(tag)).toHaveLength(1);
    expect(await emailsWithSubject(`Lead ${tag}`)).toHaveLength(1);
    await enrollmentReaching(flowId, visitor.conversationId, 'completed');
    visitor.close();
  });

  it('recovers after every object is aborted like a crash between steps', async () => {
    const tag = crypto.randomUUID();
    const { publicKey, flowId } = await onboardingPilot(tag);
    const visitor = await Visitor.start(publicKey);
    visitor.send({ type: 'event', name: 'go' });
    await visitor.said('Your name?');
    await abortAllDurableObjects();
    await visitor.reconnect();
    visitor.send({ type: 'message', text: 'Ada' });
    await visitor.said('Which plan?');
    await abortAllDurableObjects();
    await visitor.reconnect();
    visitor.send({ type: 'choice', seq: visitor.question().seq, value: 'pro' });
    await visitor.said('Done');
    expect(lines(visitor.transcript())).toEqual(EXPECTED);
    expect(await requestsSeen(tag)).toHaveLength(1);
    await enrollmentReaching(flowId, visitor.conversationId, 'completed');
    visitor.close();
  });
});
