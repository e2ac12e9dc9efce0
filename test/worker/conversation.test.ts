import { env, evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { seed } from '../helpers/admin.ts';
import { openSocket, startSession } from '../helpers/socket.ts';

describe('conversation over the widget socket', () => {
  it('runs the published demo flow from a page view and answers a button with the templated reply', async () => {
    const { publicKey } = await seed();
    const { body } = await startSession(publicKey);
    const socket = await openSocket(body!.conversationId, body!.token);
    socket.send({ type: 'page_view', page: { url: 'http://localhost:8787/' } });
    const asked = await socket.waitForMessages(
      (m) => m.some((x) => x.choices),
      'the question with buttons',
    );
    const question = asked.find((m) => m.choices)!;
    socket.send({ type: 'choice', seq: question.seq, value: 'support' });
    const all = await socket.waitForMessages(
      (m) => m.some((x) => x.text.includes('talk about support')),
      'the templated reply',
    );
    expect(all.map((m) => [m.author, m.text])).toEqual([
      ['pilot', 'Hi there! I am the edgepilot demo pilot.'],
      ['pilot', 'What brings you here today?'],
      ['visitor', 'Support'],
      ['pilot', 'Great, let us talk about support. Ask me anything, or ask to talk to a person.'],
    ]);
    socket.close();
  });

  it('keeps the conversation across eviction of the Durable Object and replays it in order', async () => {
    const { publicKey } = await seed();
    const { body } = await startSession(publicKey);
    const first = await openSocket(body!.conversationId, body!.token);
    first.send({ type: 'page_view', page: { url: 'http://localhost:8787/pricing' } });
    const asked = await first.waitForMessages((m) => m.some((x) => x.choices), 'the question');
    first.close();

    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(body!.conversationId));
    await evictDurableObject(stub);

    const second = await openSocket(body!.conversationId, body!.token);
    const replayed = await second.waitForMessages(
      (m) => m.length === asked.length,
      'the replayed history',
    );
    expect(replayed.map((m) => m.seq)).toEqual(asked.map((m) => m.seq));
    // The run still waits on the question after eviction: the answer continues it.
    second.send({ type: 'choice', seq: asked.find((m) => m.choices)!.seq, value: 'pricing' });
    await second.waitForMessages(
      (m) => m.some((x) => x.text.includes('talk about pricing')),
      'the reply after eviction',
    );
    const state = await runInDurableObject(stub, (instance) => instance.activeRunState());
    expect(state).toBeNull();
    second.close();
  });

  it('applies a frame sent twice with the same id only once', async () => {
    const { publicKey } = await seed();
    const { body } = await startSession(publicKey);
    const socket = await openSocket(body!.conversationId, body!.token);
    const frame = JSON.stringify({ v: 1, type: 'message', id: 'same-id', text: 'hello twice' });
    socket.ws.send(frame);
    socket.ws.send(frame);
    await socket.waitForMessages((m) => m.some((x) => x.author === 'pilot'), 'the fallback answer');
    const acks = () => socket.frames.filter((f) => f.type === 'ack').length;
    await new Promise<void>((resolve) => {
      const poll = () => (acks() >= 2 ? resolve() : setTimeout(poll, 10));
      poll();
    });
    expect(socket.messages().filter((m) => m.author === 'visitor')).toHaveLength(1);
    socket.close();
  });

  it('answers a malformed frame with an error frame and keeps the socket usable', async () => {
    const { publicKey } = await seed();
    const { body } = await startSession(publicKey);
    const socket = await openSocket(body!.conversationId, body!.token);
    socket.ws.send('{"v":1,"type":"nope"}');
    socket.send({ type: 'message', text: 'still here' });
    await socket.waitForMessages(
      (m) => m.some((x) => x.text === 'still here'),
      'the echoed visitor message',
    );
    expect(socket.frames.some((f) => f.type === 'error')).toBe(true);
    socket.close();
  });
});

describe('session endpoint', () => {
  it('refuses an origin that is not a trusted domain of the pilot', async () => {
    const { publicKey } = await seed();
    const { response } = await startSession(publicKey, undefined, 'https://evil.example');
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'origin_not_allowed' } });
  });

  it('refuses a socket with a token for another conversation', async () => {
    const { publicKey } = await seed();
    const a = await startSession(publicKey);
    const b = await startSession(publicKey);
    await expect(openSocket(a.body!.conversationId, b.body!.token)).rejects.toThrow(/401/);
  });
});
