import { abortAllDurableObjects, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createPilot, eventually, publishFlow } from '../../worker/runtime-helpers.ts';
import { enrollmentReaching, lines, requestsSeen, target, Visitor } from './fault-helpers.ts';

/** A pilot whose `go` event calls `event.url` once, then says which port the run took. */
async function webhookPilot(method: string, timeoutMs: number) {
  const { pilotId, publicKey } = await createPilot();
  const { flowId } = await publishFlow(pilotId, {
    name: `Webhook ${method}`,
    trigger: { type: 'event', name: 'go' },
    start: 'call',
    nodes: [
      {
        id: 'call',
        type: 'http_request',
        method: method as 'GET',
        url: '{{event.url}}',
        ...(method === 'GET' ? {} : { body: { order: 'A-1' } }),
        timeoutMs,
        next: 'ok',
        onError: 'bad',
      },
      { id: 'ok', type: 'send_message', text: 'Webhook OK' },
      { id: 'bad', type: 'send_message', text: 'Webhook failed' },
    ],
  });
  return { publicKey, flowId };
}

/** Runs the webhook once against `path`; returns the visitor, the requests seen and the enrollment. */
async function callOnce(method: string, path: string, timeoutMs = 1000) {
  const tag = crypto.randomUUID();
  const { publicKey, flowId } = await webhookPilot(method, timeoutMs);
  const visitor = await Visitor.start(publicKey);
  const url = `${target}${path}${path.includes('?') ? '&' : '?'}tag=${tag}`;
  visitor.send({ type: 'event', name: 'go', props: { url } });
  return { visitor, tag, flowId };
}

const answers = (visitor: Visitor) =>
  lines(visitor.transcript()).filter(([author]) => author === 'pilot');

describe('webhook target that misbehaves', () => {
  for (const [fault, path] of [
    ['hangs', '/hang'],
    ['returns 500', '/fail'],
    ['closes the connection', '/close'],
  ] as const) {
    it(`sends a POST exactly once and takes the error port when the target ${fault}`, async () => {
      const { visitor, tag, flowId } = await callOnce('POST', path, 500);
      await visitor.said('Webhook failed');
      expect(answers(visitor)).toEqual([['pilot', 'Webhook failed']]);
      expect(await requestsSeen(tag)).toHaveLength(1);
      await enrollmentReaching(flowId, visitor.conversationId, 'completed');
      visitor.close();
    });

    it(`retries a GET a bounded number of times with one idempotency key when the target ${fault}`, async () => {
      const { visitor, tag, flowId } = await callOnce('GET', path, 300);
      await visitor.said('Webhook failed');
      expect(answers(visitor)).toEqual([['pilot', 'Webhook failed']]);
      const seen = await requestsSeen(tag);
      expect(seen).toHaveLength(3);
      expect(new Set(seen.map((r) => r.idempotencyKey)).size).toBe(1);
      await enrollmentReaching(flowId, visitor.conversationId, 'completed');
      visitor.close();
    });
  }
});

describe('object lost while a webhook is in flight', () => {
  it('never sends a POST twice after a crash mid-request: the step fails as interrupted', async () => {
    const { visitor, tag, flowId } = await callOnce('POST', '/slow?ms=6000', 9000);
    await eventually(
      () => requestsSeen(tag),
      (seen) => seen.length === 1,
      'the request',
    );
    await abortAllDurableObjects();
    await visitor.reconnect();
    await visitor.said('Webhook failed');
    expect(answers(visitor)).toEqual([['pilot', 'Webhook failed']]);
    expect(await requestsSeen(tag)).toHaveLength(1);
    await enrollmentReaching(flowId, visitor.conversationId, 'completed');
    visitor.close();
  });

  it('sends a GET again with the same idempotency key after a crash mid-request and continues', async () => {
    const { visitor, tag, flowId } = await callOnce('GET', '/slow?ms=1500', 5000);
    await eventually(
      () => requestsSeen(tag),
      (seen) => seen.length === 1,
      'the request',
    );
    await abortAllDurableObjects();
    await visitor.reconnect();
    await visitor.said('Webhook OK');
    expect(answers(visitor)).toEqual([['pilot', 'Webhook OK']]);
    const seen = await requestsSeen(tag);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.idempotencyKey).toBe(seen[1]?.idempotencyKey);
    await enrollmentReaching(flowId, visitor.conversationId, 'completed');
    visitor.close();
  });

  it('answers once and calls the target once when the server closes the socket mid-webhook', async () => {
    const { visitor, tag, flowId } = await callOnce('POST', '/slow?ms=800', 5000);
    await eventually(
      () => requestsSeen(tag),
      (seen) => seen.length === 1,
      'the request',
    );
    await evictDurableObject(visitor.stub, { webSockets: 'close' }).catch(() => {});
    await visitor.reconnect();
    await eventually(
      async () => answers(visitor),
      (said) => said.length > 0,
      'the webhook outcome',
    );
    await enrollmentReaching(flowId, visitor.conversationId, 'completed');
    await visitor.reconnect();
    expect(answers(visitor)).toHaveLength(1);
    expect(await requestsSeen(tag)).toHaveLength(1);
    visitor.close();
  });
});
