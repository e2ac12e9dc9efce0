import { describe, expect, it } from 'vitest';
import { createPilot, publishFlow, said, texts, visit } from './runtime-helpers.ts';

const say = (id: string, text: string, next?: string) => ({
  id,
  type: 'send_message' as const,
  text,
  ...(next ? { next } : {}),
});

describe('trigger dispatch and routing', () => {
  it('starts a new_conversation flow on the first hello and not again on reconnect', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Welcome',
      trigger: { type: 'new_conversation' },
      start: 'hi',
      nodes: [say('hi', 'Welcome aboard!')],
    });
    const first = await visit(publicKey);
    await said(first.socket, 'Welcome aboard!');
    first.socket.close();
    const again = await visit(publicKey, first.visitorKey);
    again.socket.send({ type: 'message', text: 'hello?' });
    await said(again.socket, 'Fallback answer.');
    expect(texts(again.socket)).toEqual([
      ['pilot', 'Welcome aboard!'],
      ['visitor', 'hello?'],
      ['pilot', 'Fallback answer.'],
    ]);
    again.socket.close();
  });

  it('runs only the matching page flow with the lowest priority number', async () => {
    const { pilotId, publicKey } = await createPilot();
    const page = (name: string, priority: number, text: string, value: string) =>
      publishFlow(pilotId, {
        name,
        priority,
        trigger: { type: 'page_visited', urls: [{ op: 'contains', value }] },
        start: 'm',
        nodes: [say('m', text)],
      });
    await page('Any page, low priority', 50, 'Generic hello', '/');
    await page('Pricing, high priority', 5, 'Pricing hello', '/pricing');
    await page('Docs', 1, 'Docs hello', '/docs');
    const { socket } = await visit(publicKey);
    socket.send({ type: 'page_view', page: { url: 'https://shop.example/pricing' } });
    await said(socket, 'Pricing hello');
    socket.send({ type: 'page_view', page: { url: 'https://shop.example/about' } });
    await said(socket, 'Generic hello');
    expect(texts(socket)).toEqual([
      ['pilot', 'Pricing hello'],
      ['pilot', 'Generic hello'],
    ]);
    socket.close();
  });

  it('matches UTM parameters of the visited page', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Campaign',
      trigger: { type: 'page_visited', urls: [], utm: { campaign: 'spring' } },
      start: 'm',
      nodes: [say('m', 'Spring campaign offer')],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'page_view', page: { url: 'https://shop.example/?utm_campaign=winter' } });
    socket.send({ type: 'page_view', page: { url: 'https://shop.example/?utm_campaign=spring' } });
    await said(socket, 'Spring campaign offer');
    expect(texts(socket)).toEqual([['pilot', 'Spring campaign offer']]);
    socket.close();
  });

  it('starts an event flow whose conditions read the event properties', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Big cart',
      trigger: {
        type: 'event',
        name: 'cart_updated',
        conditions: { all: [{ field: 'event.total', op: 'gt', value: 100 }] },
      },
      start: 'm',
      nodes: [say('m', 'Your cart is {{event.total}} — need help?')],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'cart_updated', props: { total: 20 } });
    socket.send({ type: 'event', name: 'cart_updated', props: { total: 250 } });
    await said(socket, 'need help?');
    expect(texts(socket)).toEqual([['pilot', 'Your cart is 250 — need help?']]);
    socket.close();
  });

  it('keeps one active run: a second trigger waits until the question is answered', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Question',
      trigger: { type: 'event', name: 'ask' },
      start: 'q',
      nodes: [
        {
          id: 'q',
          type: 'ask_question',
          text: 'Your name?',
          input: { kind: 'text' },
          saveTo: 'variable.name',
          next: 'bye',
        },
        say('bye', 'Thanks {{variable.name}}'),
      ],
      variables: [{ name: 'name', type: 'text' }],
    });
    await publishFlow(pilotId, {
      name: 'Other',
      trigger: { type: 'event', name: 'other' },
      start: 'm',
      nodes: [say('m', 'Other flow')],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'ask' });
    await said(socket, 'Your name?');
    socket.send({ type: 'event', name: 'other' });
    socket.send({ type: 'message', text: 'Ada' });
    await said(socket, 'Thanks Ada');
    socket.send({ type: 'event', name: 'other' });
    await said(socket, 'Other flow');
    expect(texts(socket)).toEqual([
      ['pilot', 'Your name?'],
      ['visitor', 'Ada'],
      ['pilot', 'Thanks Ada'],
      ['pilot', 'Other flow'],
    ]);
    socket.close();
  });
});
