/**
 * Batched frames (shared/protocol.ts `BatchFrame`): a socket whose hello says `batch: true`, as
 * the messenger's does, gets everything one step of the conversation sends it as one WebSocket
 * message, in order; a socket that does not ask gets every frame bare, as before.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { type BatchFrame, MAX_BATCH_CHARS, type ServerFrame } from '../../shared/protocol.ts';
import type { SocketAttachment } from '../../worker/conversation/socket-out.ts';
import { openSocket, startSession, type TestSocket } from '../helpers/socket.ts';
import { acked, createPilot, eventually, said } from './runtime-helpers.ts';

/**
 * What each WebSocket message held: a batch as its frames' kinds, a bare frame as one kind. A
 * lone typing frame is left out: it goes before the slow part of a turn (here the pilot's first
 * read), on its own by design.
 */
function shapes(socket: TestSocket, from = 0): string[][] {
  const all = socket.raw.slice(from).map((text) => {
    const parsed = JSON.parse(text) as ServerFrame | BatchFrame;
    const kind = (f: ServerFrame) =>
      f.type === 'message' ? `message:${f.message.author}` : f.type;
    return parsed.type === 'batch' ? parsed.frames.map(kind) : [kind(parsed)];
  });
  return all.filter((kinds) => kinds.join() !== 'typing');
}

async function welcomed(batch: boolean, settings: Record<string, unknown> = {}) {
  const { publicKey } = await createPilot(settings);
  const { body } = await startSession(publicKey);
  if (!body) throw new Error('session refused');
  const socket = await openSocket(body.conversationId, body.token, 0, { batch });
  await eventually(
    async () => socket.frames.some((f) => f.type === 'welcome'),
    Boolean,
    'the welcome',
  );
  return { socket, body };
}

/** Sends one message with frame id `id`; resolves once its answer and its ack have arrived. */
async function answeredAndAcked(socket: TestSocket, id: string) {
  socket.send({ id, type: 'message', text: 'hello there' });
  await said(socket, 'Fallback answer.');
  await acked(socket, id);
}

describe('batched frames', () => {
  it('sends a visitor message, its reply and its ack as one WebSocket message, in order', async () => {
    const { socket, body } = await welcomed(true);
    const before = socket.raw.length;
    await answeredAndAcked(socket, 'batched-1');
    expect(shapes(socket, before)).toEqual([['message:visitor', 'message:pilot', 'ack']]);
    // Kept in the socket's attachment: a hibernated object's new socket objects still batch.
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(body.conversationId));
    const attached = await runInDurableObject(stub, (_, state) =>
      state.getWebSockets().map((ws) => (ws.deserializeAttachment() as SocketAttachment).batch),
    );
    expect(attached).toEqual([true]);

    // A second tab of the same visitor: it gets the next turn's two messages as one batch
    // (the ack is the sender's alone).
    const other = await openSocket(body.conversationId, body.token, 2, { batch: true });
    await eventually(
      async () => other.frames.some((f) => f.type === 'welcome'),
      Boolean,
      'welcome',
    );
    const otherBefore = other.raw.length;
    socket.send({ id: 'batched-2', type: 'message', text: 'and again' });
    await other.waitForMessages((m) => m.length === 2, 'the second turn in the other tab');
    expect(shapes(other, otherBefore)).toEqual([['message:visitor', 'message:pilot']]);
    socket.close();
    other.close();
  });

  it('replays a page after a hello as one message: the welcome and its messages', async () => {
    const { socket, body } = await welcomed(true);
    socket.send({ type: 'message', text: 'one' });
    await said(socket, 'Fallback answer.');
    socket.close();
    const again = await openSocket(body.conversationId, body.token, 0, { batch: true });
    await again.waitForMessages((m) => m.length === 2, 'the replay');
    expect(shapes(again)[0]).toEqual(['welcome', 'message:visitor', 'message:pilot']);
    again.close();
  });

  it('keeps sending every frame bare to a socket that did not ask for batches', async () => {
    const { socket } = await welcomed(false);
    const before = socket.raw.length;
    await answeredAndAcked(socket, 'bare-1');
    expect(shapes(socket, before)).toEqual([['message:visitor'], ['message:pilot'], ['ack']]);
    expect(socket.raw.some((text) => text.includes('"batch"'))).toBe(false);
    socket.close();
  });

  it('splits a long replay over several messages, each within the bound, every message once and in order', async () => {
    // 45 turns of a 4,000-character question and a 2,000-character answer: 90 messages,
    // about 270,000 characters, one replay page (100) over the batch bound.
    const { socket, body } = await welcomed(true, { fallbackMessage: 'a'.repeat(2000) });
    for (let i = 0; i < 45; i++) {
      // The conversation takes 20 frames at once, then 5 a second.
      if (i >= 18) await new Promise((resolve) => setTimeout(resolve, 220));
      socket.send({ type: 'message', text: `${i} ${'q'.repeat(3990)}` });
      await socket.waitForMessages((m) => m.length >= 2 * (i + 1), `answer ${i}`);
    }
    socket.close();
    const again = await openSocket(body.conversationId, body.token, 0, { batch: true });
    await again.waitForMessages((m) => m.length === 90, 'the whole replay');
    expect(again.raw.length).toBeGreaterThan(1);
    for (const text of again.raw) expect(text.length).toBeLessThanOrEqual(MAX_BATCH_CHARS);
    expect(again.messages().map((m) => m.seq)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    again.close();
  }, 30_000);
});
