import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../shared/errors.ts';
import { MAX_PROPS_DEPTH, type ServerFrame } from '../../shared/protocol.ts';
import {
  MAX_FRAME_CHARS,
  SOCKET_IDLE_MS,
  type SocketAttachment,
} from '../../worker/conversation/conversation-object.ts';
import { BASE } from '../helpers/admin.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { createPilot, eventually, said, texts, visit } from './runtime-helpers.ts';

const errors = (socket: TestSocket) =>
  socket.frames.filter((f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error');

const acked = (socket: TestSocket, id: string) =>
  socket.frames.some((f) => f.type === 'ack' && f.id === id);

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.addEventListener('close', (event) => resolve(event.code)));
}

describe('delivery over the visitor socket', () => {
  it('shows every message to every open tab of the same visitor', async () => {
    const { publicKey } = await createPilot();
    const first = await visit(publicKey);
    const second = await visit(publicKey, first.visitorKey);
    expect(second.conversationId).toBe(first.conversationId);

    first.socket.send({ type: 'message', text: 'from tab one' });
    await said(second.socket, 'Fallback answer.');
    second.socket.send({ type: 'message', text: 'from tab two' });
    const expected = [
      ['visitor', 'from tab one'],
      ['pilot', 'Fallback answer.'],
      ['visitor', 'from tab two'],
      ['pilot', 'Fallback answer.'],
    ];
    for (const tab of [first.socket, second.socket])
      await tab.waitForMessages((m) => m.length === 4, 'four messages in each tab');
    expect(texts(first.socket)).toEqual(expected);
    expect(texts(second.socket)).toEqual(expected);
    first.socket.close();
    second.socket.close();
  });

  it("replays only what came after the client's last seen sequence, in order", async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    for (const text of ['one', 'two', 'three']) {
      visitor.socket.send({ type: 'message', text });
      await visitor.socket.waitForMessages(
        (m) =>
          m.filter((x) => x.author === 'pilot').length ===
          ['one', 'two', 'three'].indexOf(text) + 1,
        `the answer to "${text}"`,
      );
    }
    const all = visitor.socket.messages();
    visitor.socket.close();

    const resumed = await openSocket(visitor.conversationId, visitor.token, all[1]!.seq);
    await resumed.waitForMessages((m) => m.length === 4, 'the four missed messages');
    expect(resumed.frames[0]).toMatchObject({ type: 'welcome', lastSeq: all.at(-1)!.seq });
    expect(resumed.messages().map((m) => [m.seq, m.text])).toEqual(
      all.slice(2).map((m) => [m.seq, m.text]),
    );
    resumed.close();
  });

  it('answers non-JSON, binary, unknown and invalid frames with error frames and stores none of them', async () => {
    const { publicKey } = await createPilot();
    const { socket } = await visit(publicKey);
    socket.ws.send('not json at all');
    socket.ws.send(new TextEncoder().encode('{"v":1}').buffer as ArrayBuffer);
    socket.ws.send(JSON.stringify({ v: 1, type: 'teleport', id: 'frame-unknown' }));
    socket.ws.send(JSON.stringify({ v: 1, type: 'message', id: 'frame-empty', text: '' }));
    socket.ws.send(
      JSON.stringify({ v: 1, type: 'message', id: 'frame-long', text: 'x'.repeat(4001) }),
    );
    socket.ws.send(
      JSON.stringify({
        v: 1,
        type: 'message',
        id: 'frame-huge',
        text: 'x'.repeat(MAX_FRAME_CHARS),
      }),
    );
    socket.send({ type: 'message', text: 'still here' });
    await said(socket, 'Fallback answer.');
    expect(errors(socket).map((e) => [e.code, e.id ?? null])).toEqual([
      ['invalid_input', null],
      ['invalid_input', null],
      ['invalid_input', 'frame-unknown'],
      ['invalid_input', 'frame-empty'],
      ['invalid_input', 'frame-long'],
      ['payload_too_large', null],
    ]);
    expect(texts(socket)).toEqual([
      ['visitor', 'still here'],
      ['pilot', 'Fallback answer.'],
    ]);
    socket.close();
  });

  it('refuses a burst past the token bucket with rate_limited error frames and stores each resent frame once', async () => {
    const { publicKey } = await createPilot();
    const { socket } = await visit(publicKey);
    const frames = Array.from({ length: 30 }, (_, i) => ({
      v: 1,
      type: 'message',
      id: `burst-${i}`,
      text: `message ${i}`,
    }));
    for (const frame of frames) socket.ws.send(JSON.stringify(frame));
    await eventually(
      async () =>
        frames.filter((f) => acked(socket, f.id) || errors(socket).some((e) => e.id === f.id)),
      (answered) => answered.length === frames.length,
      'an ack or an error for every frame',
    );
    const refused = errors(socket).filter((e) => e.code === 'rate_limited');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.message.includes('retry in'))).toBe(true);

    // The client resends the refused frames (and, to be sure, one that was accepted) until acked.
    const resend = [...refused.map((e) => e.id as string), 'burst-0'];
    await eventually(
      async () => {
        for (const id of resend.filter((x) => !acked(socket, x)))
          socket.ws.send(JSON.stringify(frames.find((f) => f.id === id)));
        return resend.filter((x) => !acked(socket, x));
      },
      (missing) => missing.length === 0,
      'every refused frame acked after the bucket refills',
    );
    await socket.waitForMessages(
      (m) => m.filter((x) => x.author === 'pilot').length === frames.length,
      'an answer to every message',
      15_000,
    );
    const stored = socket.messages().filter((m) => m.author === 'visitor');
    expect(stored.map((m) => m.clientId).sort()).toEqual(frames.map((f) => f.id).sort());
    socket.close();
  });

  it('answers a beacon batch past the token bucket with 429 naming the refused frames; the resent batch is stored once', async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    visitor.socket.close();
    const frames = Array.from({ length: 30 }, (_, i) => ({
      v: 1,
      type: 'message',
      id: `beacon-${i}`,
      text: `beacon ${i}`,
    }));
    const beacon = () =>
      exports.default.fetch(
        new Request(`${BASE}/v1/widget/${publicKey}/events`, {
          method: 'POST',
          body: JSON.stringify({ token: visitor.token, frames }),
        }),
      );
    const first = await beacon();
    expect(first.status).toBe(429);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await first.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('rate_limited');
    // The refused frames are the tail of the batch, so resending keeps the visitor's order.
    const paths = body.error.issues.map((issue) => issue.path);
    const firstRefused = frames.length - paths.length;
    expect(firstRefused).toBeGreaterThan(0);
    expect(paths).toEqual(frames.slice(firstRefused).map((_, i) => `frames.${firstRefused + i}`));

    await eventually(
      async () => (await beacon()).status,
      (status) => status === 202,
      'a 202',
    );
    const reader = await openSocket(visitor.conversationId, visitor.token);
    await reader.waitForMessages(
      (m) => m.filter((x) => x.author === 'pilot').length === frames.length,
      'an answer to every beacon message',
    );
    expect(
      reader
        .messages()
        .filter((m) => m.author === 'visitor')
        .map((m) => m.text),
    ).toEqual(frames.map((f) => f.text));
    reader.close();
  });

  it(`refuses event props nested past ${MAX_PROPS_DEPTH} levels with a 400 naming them, on the beacon route and the socket`, async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    // About 12 KB of JSON, 6,000 levels deep: under the frame size limit; it overflowed the
    // stack of the object call (a 500) before the schema bounded the depth.
    let deep: unknown = 1;
    for (let i = 0; i < 6_000; i++) deep = [deep];
    const event = { v: 1, type: 'event', id: 'deep-1', name: 'x', props: { a: deep } };
    const response = await exports.default.fetch(
      new Request(`${BASE}/v1/widget/${publicKey}/events`, {
        method: 'POST',
        body: JSON.stringify({ token: visitor.token, frames: [event] }),
      }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues.map((issue) => issue.path)).toEqual(['frames.0.props']);
    // The socket refuses the same frame by its id; the conversation still answers.
    visitor.socket.send({ ...event, id: 'deep-2' });
    await eventually(
      async () => visitor.socket.frames.find((f) => f.type === 'error' && f.id === 'deep-2'),
      (frame) => frame !== undefined,
      'an error frame for the deep event',
    );
    // Props at the limit pass.
    let ok: unknown = 1;
    for (let i = 0; i < MAX_PROPS_DEPTH - 1; i++) ok = [ok];
    visitor.socket.send({ v: 1, type: 'event', id: 'ok-1', name: 'x', props: { a: ok } });
    await eventually(
      async () => acked(visitor.socket, 'ok-1'),
      (ok) => ok,
      'the ack of an event at the limit',
    );
    visitor.socket.send({ type: 'message', id: 'after', text: 'still there?' });
    await eventually(
      async () => acked(visitor.socket, 'after'),
      (ok) => ok,
      'the ack of a message after it',
    );
    visitor.socket.close();
  });

  it('answers heartbeats and closes only the socket that went silent', async () => {
    const { publicKey } = await createPilot();
    const quiet = await visit(publicKey);
    const alive = await visit(publicKey, quiet.visitorKey);
    const pong = new Promise<void>((resolve) =>
      alive.socket.ws.addEventListener('message', (event) => {
        if (event.data === 'pong') resolve();
      }),
    );
    alive.socket.ws.send('ping');
    await pong;

    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(quiet.conversationId));
    // Both sockets connected long ago; only `alive` has sent a heartbeat since.
    await runInDurableObject(stub, (_instance, state) => {
      for (const ws of state.getWebSockets()) {
        const attachment = ws.deserializeAttachment() as SocketAttachment;
        ws.serializeAttachment({ ...attachment, connectedAt: Date.now() - 2 * SOCKET_IDLE_MS });
      }
    });
    const quietClosed = closed(quiet.socket.ws);
    // The sweep compares with the heartbeat clock, so it must see the ping as recent.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Its own code (4010 is `goingAway`, a restart): the server heard nothing from it.
    expect(await quietClosed).toBe(CloseCode.idle);

    alive.socket.send({ type: 'message', text: 'are you there?' });
    await said(alive.socket, 'Fallback answer.');
    alive.socket.close();
  });
});
