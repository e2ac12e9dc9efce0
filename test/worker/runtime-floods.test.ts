/**
 * Floods on the visitor socket: every frame kind spends the socket's budget (hello and
 * malformed frames included), a hello replays one page at most and spends a hello budget, a
 * new locale spends a token of the conversation's bucket, and a conversation takes at most
 * MAX_SOCKETS_PER_CONVERSATION sockets. Each guard answers with its own error frame or close
 * code.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { afterClose, CloseCode } from '../../shared/errors.ts';
import type { ServerFrame } from '../../shared/protocol.ts';
import {
  BUCKET_CAPACITY,
  BUCKET_REFILL_PER_SECOND,
  CONVERSATION_HELLO_BURST,
  CONVERSATION_HELLOS_PER_SECOND,
  HELLO_BURST,
  MAX_SOCKETS_PER_CONVERSATION,
  REPLAY_PAGE,
  SOCKET_FRAME_BURST,
  SOCKET_FRAMES_PER_SECOND,
  SOCKET_OPEN_BURST,
  SOCKET_OPENS_PER_SECOND,
  SOCKET_REFUSALS_BEFORE_CLOSE,
} from '../../worker/conversation/socket-budget.ts';
import { ConversationStorage, MAX_STORED_MESSAGES } from '../../worker/conversation/storage.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { createPilot, eventually, said, visit } from './runtime-helpers.ts';

type ErrorFrame = Extract<ServerFrame, { type: 'error' }>;
const errorsOf = (socket: TestSocket) =>
  socket.frames.filter((f): f is ErrorFrame => f.type === 'error');
const welcomesOf = (socket: TestSocket) =>
  socket.frames.filter((f): f is Extract<ServerFrame, { type: 'welcome' }> => f.type === 'welcome');

/** Frames the socket budget can have accepted since `started`: its burst plus its refill. */
const budgetAfter = (started: number) =>
  SOCKET_FRAME_BURST + Math.ceil(((Date.now() - started) / 1000) * SOCKET_FRAMES_PER_SECOND);

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })),
  );
}

/** Stores `count` pilot messages in the conversation directly (a long history). */
async function longHistory(conversationId: string, count: number): Promise<void> {
  const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
  await runInDurableObject(stub, (instance) => {
    // The object's own storage (it keeps the newest message in memory).
    const { store } = (instance as unknown as { runtime: { store: ConversationStorage } }).runtime;
    for (let i = 1; i <= count; i++)
      store.appendMessage({ author: 'pilot', text: `history ${i}`, at: i });
  });
}

/**
 * A visitor who was welcomed once and left, whose conversation then holds `count` more messages:
 * the start of every test here that reconnects to a long history.
 */
async function withHistory(count: number) {
  const { publicKey } = await createPilot();
  const visitor = await visit(publicKey);
  await eventually(
    async () => welcomesOf(visitor.socket).length,
    (n) => n === 1,
    'the first welcome',
  );
  visitor.socket.close();
  await longHistory(visitor.conversationId, count);
  return visitor;
}

describe('floods on the visitor socket', () => {
  it('replays one page per hello and closes a socket that floods hellos (2,000 hellos)', async () => {
    const visitor = await withHistory(3 * REPLAY_PAGE);

    const flooder = await openSocket(visitor.conversationId, visitor.token);
    const end = closed(flooder.ws);
    const started = Date.now();
    for (let i = 0; i < 2_000; i++) flooder.send({ type: 'hello', lastSeq: 0 });
    expect((await end).code).toBe(CloseCode.tooManyFrames);

    // The opening hello plus the hello budget were served; each replayed one page, not all.
    const welcomes = welcomesOf(flooder);
    expect(welcomes.length).toBeGreaterThan(1);
    expect(welcomes.length).toBeLessThanOrEqual(HELLO_BURST + 2);
    expect(welcomes.every((w) => w.pageEnd === REPLAY_PAGE)).toBe(true);
    expect(flooder.messages().length).toBe(welcomes.length * REPLAY_PAGE);
    // The other hellos were refused: by the hello budget (with their id), then by the socket's
    // frame budget once (no id); after that, frames were dropped unread until the close.
    const refused = errorsOf(flooder);
    expect(refused.every((e) => e.code === 'rate_limited')).toBe(true);
    const withoutId = refused.filter((e) => e.id === undefined);
    expect(withoutId).toHaveLength(1);
    expect(refused.length + welcomes.length).toBeLessThanOrEqual(budgetAfter(started) + 1);
    expect(SOCKET_REFUSALS_BEFORE_CLOSE).toBeLessThan(2_000 - SOCKET_FRAME_BURST);
  });

  it('bounds replays across sockets: reconnecting does not renew the hello budget (8 sockets x 11 hellos)', async () => {
    // A hostile review: each new socket started with a full hello budget, so a client opening,
    // spending it and closing again drew pages without end (3,300x amplification).
    const visitor = await withHistory(REPLAY_PAGE);
    const started = Date.now();
    const sockets: TestSocket[] = [];
    let sent = 1; // the first visit's hello
    for (let i = 0; i < 8; i++) {
      const socket = await openSocket(visitor.conversationId, visitor.token);
      for (let h = 0; h < HELLO_BURST; h++) socket.send({ type: 'hello', lastSeq: 0 });
      sent += HELLO_BURST + 1; // openSocket says hello too
      await eventually(
        async () => welcomesOf(socket).length + errorsOf(socket).length,
        (n) => n === HELLO_BURST + 1,
        'an answer to every hello',
      );
      sockets.push(socket);
      socket.close();
    }
    const served = 1 + sockets.reduce((sum, s) => sum + welcomesOf(s).length, 0);
    const refill = Math.ceil(((Date.now() - started) / 1000) * CONVERSATION_HELLOS_PER_SECOND);
    expect(served).toBeLessThanOrEqual(CONVERSATION_HELLO_BURST + refill + 1);
    expect(served).toBeLessThan(sent);
    const refused = sockets.flatMap(errorsOf);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((e) => e.code === 'rate_limited' && e.id)).toBe(true);
  });

  it('refuses sockets opened faster than the open budget with 4013 (retry, not park), and takes one again after a pause', async () => {
    const { publicKey } = await createPilot();
    const first = await visit(publicKey);
    first.socket.close();
    const codes: number[] = [];
    for (let i = 0; i < SOCKET_OPEN_BURST + 5; i++) {
      const socket = await openSocket(first.conversationId, first.token);
      const end = closed(socket.ws);
      socket.close();
      codes.push((await end).code);
    }
    // Retryable: 4009 would park the messenger until the visitor acts (a second review).
    expect(codes.filter((c) => c === CloseCode.tooManyConnections).length).toBeGreaterThan(0);
    expect(codes).not.toContain(CloseCode.tooManySockets);
    expect(afterClose(CloseCode.tooManyConnections)).toBe('retry');
    await new Promise((resolve) => setTimeout(resolve, 1_200 / SOCKET_OPENS_PER_SECOND));
    const again = await openSocket(first.conversationId, first.token);
    await eventually(
      async () => welcomesOf(again).length,
      (n) => n === 1,
      'a welcome after the pause',
    );
    again.close();
  });

  it(`stores at most ${MAX_STORED_MESSAGES.toLocaleString('en')} messages: the oldest go, the newest stay and replay`, async () => {
    const visitor = await withHistory(MAX_STORED_MESSAGES + 500);
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    const kept = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ n: number; first: number; last: number }>(
          'SELECT COUNT(*) AS n, MIN(seq) AS first, MAX(seq) AS last FROM messages',
        )
        .one(),
    );
    expect(kept).toEqual({
      n: MAX_STORED_MESSAGES,
      first: 501,
      last: MAX_STORED_MESSAGES + 500,
    });
    // A visitor catching up from the start gets the oldest kept messages, in order.
    const reader = await openSocket(visitor.conversationId, visitor.token);
    await reader.waitForMessages((m) => m.length === REPLAY_PAGE, 'the first page');
    expect(reader.messages()[0]?.text).toBe('history 501');
    reader.close();
    // A message still goes in after the cut.
    const tab = await openSocket(visitor.conversationId, visitor.token, MAX_STORED_MESSAGES + 500);
    tab.send({ type: 'message', text: 'still here' });
    await said(tab, 'Fallback answer.');
    tab.close();
  });

  it('answers a flood of malformed frames with a bounded number of error frames, then closes', async () => {
    const { publicKey } = await createPilot();
    const { socket } = await visit(publicKey);
    await eventually(
      async () => welcomesOf(socket).length,
      (n) => n === 1,
      'the welcome',
    );
    const end = closed(socket.ws);
    const started = Date.now();
    for (let i = 0; i < 2_000; i++) socket.ws.send(i % 2 ? 'not json' : '{"v":1,"type":"nope"}');
    expect((await end).code).toBe(CloseCode.tooManyFrames);
    const errors = errorsOf(socket);
    const invalid = errors.filter((e) => e.code === 'invalid_input');
    expect(invalid.length).toBeGreaterThan(0);
    // The burst, plus what the budget refilled while the flood was being read.
    expect(invalid.length).toBeLessThanOrEqual(budgetAfter(started));
    expect(errors.filter((e) => e.code === 'rate_limited')).toHaveLength(1);
  });

  it('writes a new locale at most once per token of the conversation bucket', async () => {
    const { publicKey } = await createPilot();
    const first = await visit(publicKey);
    const tabs = [first.socket];
    for (let i = 1; i < 10; i++) tabs.push(await openSocket(first.conversationId, first.token));
    await eventually(
      async () => tabs.filter((t) => welcomesOf(t).length === 1).length,
      (n) => n === tabs.length,
      'a welcome on every tab',
    );
    // 10 tabs x 10 hellos, each with a new locale: every tab stays within its hello budget.
    const started = Date.now();
    let n = 0;
    for (let round = 0; round < HELLO_BURST; round++)
      for (const tab of tabs) tab.send({ type: 'hello', lastSeq: 9_999, locale: `x-l${n++}` });
    const answered = () =>
      tabs.reduce((sum, t) => sum + welcomesOf(t).length - 1 + errorsOf(t).length, 0);
    await eventually(
      async () => answered(),
      (a) => a === n,
      'an answer to every hello',
    );
    const accepted = tabs.reduce((sum, t) => sum + welcomesOf(t).length - 1, 0);
    // The bucket holds 20 tokens and refills 5 a second while the hellos are handled.
    const refilled = Math.ceil(((Date.now() - started) / 1000) * BUCKET_REFILL_PER_SECOND);
    expect(accepted).toBeLessThanOrEqual(BUCKET_CAPACITY + refilled);
    expect(accepted).toBeLessThan(n);
    const refusals = tabs.flatMap(errorsOf);
    expect(refusals).toHaveLength(n - accepted);
    expect(refusals.every((e) => e.code === 'rate_limited' && e.id)).toBe(true);
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(first.conversationId));
    const locale = await runInDurableObject(
      stub,
      (_, state) => new ConversationStorage(state.storage.sql).state.locale,
    );
    expect(locale).toMatch(/^x-l\d+$/);
    for (const tab of tabs) tab.close();
  });

  it('pages a long replay: live messages wait for the next page, nothing is lost or reordered', async () => {
    const visitor = await withHistory(2 * REPLAY_PAGE + 50);

    const reader = await openSocket(visitor.conversationId, visitor.token);
    await reader.waitForMessages((m) => m.length === REPLAY_PAGE, 'the first page');
    expect(welcomesOf(reader)[0]).toMatchObject({
      lastSeq: 2 * REPLAY_PAGE + 50,
      pageEnd: REPLAY_PAGE,
    });
    // Another tab talks while the reader is between pages: the reader gets none of it yet.
    const other = await openSocket(visitor.conversationId, visitor.token, 2 * REPLAY_PAGE + 50);
    other.send({ type: 'message', text: 'live while paging' });
    await said(other, 'Fallback answer.');
    expect(reader.messages()).toHaveLength(REPLAY_PAGE);

    reader.send({ type: 'hello', lastSeq: REPLAY_PAGE });
    await reader.waitForMessages((m) => m.length === 2 * REPLAY_PAGE, 'the second page');
    expect(welcomesOf(reader)[1]?.pageEnd).toBe(2 * REPLAY_PAGE);
    reader.send({ type: 'hello', lastSeq: 2 * REPLAY_PAGE });
    await said(reader, 'Fallback answer.');
    expect(welcomesOf(reader)[2]?.pageEnd).toBeUndefined();
    // Paging is over: live messages flow again.
    other.send({ type: 'message', text: 'live after paging' });
    await reader.waitForMessages(
      (m) => m.filter((x) => x.text === 'Fallback answer.').length === 2,
      'the live answer',
    );
    const seqs = reader.messages().map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(
      reader
        .messages()
        .map((m) => m.text)
        .slice(-4),
    ).toEqual(['live while paging', 'Fallback answer.', 'live after paging', 'Fallback answer.']);
    reader.close();
    other.close();
  });

  it('refuses a socket past the per-conversation cap with a close code, and takes one again when a tab closes', async () => {
    const { publicKey } = await createPilot();
    const first = await visit(publicKey);
    const tabs = [first.socket];
    while (tabs.length < MAX_SOCKETS_PER_CONVERSATION)
      tabs.push(await openSocket(first.conversationId, first.token));
    await eventually(
      async () => tabs.filter((t) => welcomesOf(t).length === 1).length,
      (n) => n === tabs.length,
      'a welcome on every tab',
    );
    const extra = await openSocket(first.conversationId, first.token);
    const refusedClose = await Promise.race([
      closed(extra.ws),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 2_000)),
    ]);
    expect(refusedClose?.code).toBe(CloseCode.tooManySockets);
    expect(errorsOf(extra).map((e) => e.code)).toEqual(['rate_limited']);
    expect(welcomesOf(extra)).toHaveLength(0);

    const leaving = tabs.pop()!;
    const left = closed(leaving.ws);
    leaving.close();
    await left;
    const again = await eventually(
      async () => {
        const tab = await openSocket(first.conversationId, first.token);
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (welcomesOf(tab).length === 1) return tab;
        tab.close();
        return null;
      },
      (tab) => tab !== null,
      'a socket accepted after a tab closed',
    );
    for (const tab of [...tabs, again!]) tab.close();
  });
});
