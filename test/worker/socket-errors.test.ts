/**
 * A frame that throws inside the conversation object (here: its transcript table is gone while
 * a hello replays it) is answered with one clean `internal_error` frame naming that frame, the
 * failure is not a stack or a SQL message, and the same socket goes on working afterwards.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import type { ServerFrame } from '../../shared/protocol.ts';
import { createPilot, eventually, said, visit } from './runtime-helpers.ts';

type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;

describe('a frame that throws in the conversation object', () => {
  it('gets a clean error frame with its id, and the socket stays usable', async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    await eventually(
      async () => visitor.socket.frames.some((f) => f.type === 'welcome'),
      Boolean,
      'the first welcome',
    );
    // A message first: a hello replays from the table only when there are messages to replay
    // (an empty conversation's hello reads none).
    visitor.socket.send({ type: 'message', text: 'first' });
    await said(visitor.socket, 'Fallback answer.');
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    // A real storage failure: the replay's read of the messages table throws.
    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec('ALTER TABLE messages RENAME TO messages_away');
    });
    const id = 'hello-that-throws';
    visitor.socket.ws.send(JSON.stringify({ v: 1, id, type: 'hello', lastSeq: 0 }));
    const refused = await eventually(
      async () => visitor.socket.frames.find((f): f is ErrorFrame => f.type === 'error'),
      Boolean,
      'an error frame for the hello that threw',
      3_000,
    );
    expect(refused).toMatchObject({ code: ErrorCode.internal, id });
    expect(refused?.message).not.toMatch(/SQL|messages|no such table|at /i);

    await runInDurableObject(stub, (_, state) => {
      state.storage.sql.exec('ALTER TABLE messages_away RENAME TO messages');
    });
    visitor.socket.send({ type: 'message', text: 'still there?' });
    await visitor.socket.waitForMessages(
      (messages) => messages.filter((m) => m.text === 'Fallback answer.').length === 2,
      'the answer to the message after the failure',
    );
    expect(visitor.socket.ws.readyState).toBe(WebSocket.OPEN);
    visitor.socket.close();
  });
});
