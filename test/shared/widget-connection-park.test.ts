/**
 * The widget's Connection against a real HTTP + WebSocket server (node:http and `ws`): a socket
 * refused with 4009 (the conversation has all its sockets, other tabs) must not reconnect in a
 * loop, nor be woken by a page view's `live`; the visitor's next message tries again. And a page
 * view's answer below the stored read position (an erased conversation numbering from 1 again)
 * forgets that position. And a `batch` on the socket is read as its frames in order, up to a
 * frame that closes the socket.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../../shared/errors.ts';
import { Connection } from '../../widget/transport/connection.ts';

// Browser globals the connection reads, in Node: the WebSocket is the `ws` client (a real one).
beforeAll(() => {
  const g = globalThis as Record<string, unknown>;
  g.WebSocket ??= WebSocket;
  g.navigator ??= { onLine: true };
  g.addEventListener ??= () => undefined;
  g.removeEventListener ??= () => undefined;
});

interface Site {
  api: string;
  sockets: number;
  liveAnswers: number;
  close(): Promise<void>;
}

/** Sessions and page views answer `answer` (default: `live`); every socket is refused with 4009. */
async function refusingSite(
  answer: Record<string, unknown> = { lastSeq: 0, messages: [], live: true },
  /** What the site's socket does (default: refuse it with 4009). */
  onSocket: (socket: WebSocket) => void = (socket) =>
    socket.close(CloseCode.tooManySockets, 'too many sockets'),
): Promise<Site> {
  const site = { sockets: 0, liveAnswers: 0 } as Site;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      if (request.url?.endsWith('/session')) {
        response.end(
          JSON.stringify({
            token: 'tok',
            expiresAt: Date.now() + 3_600_000,
            conversationId: 'c1',
            visitorId: 'v1',
            visitorKey: null,
            displayName: 'Pilot',
            identified: false,
          }),
        );
      } else {
        site.liveAnswers++;
        response.end(JSON.stringify(answer));
      }
    });
  });
  const wss = new WebSocketServer({ server, handleProtocols: () => 'edgepilot.v1' });
  wss.on('connection', (socket) => {
    site.sockets++;
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolve());
    });
  return site;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

let cleanup: (() => Promise<void>) | null = null;

/** A Connection as the messenger makes it, its host connected; `stored`: its storage. */
function connect(site: Site, stored: Map<string, string> = new Map()) {
  let controller: { hostConnected(): void; hostDisconnected(): void } | undefined;
  const calls: string[] = [];
  const frames: string[] = [];
  const connection = new Connection(
    {
      addController: (c) => {
        controller = c;
      },
      requestUpdate: () => undefined,
    },
    { pilotKey: 'pk_test', api: site.api, locale: null, storage: 'none', nonce: null },
    {
      onFrame: (frame) =>
        void frames.push(frame.type === 'message' ? `message ${frame.message.seq}` : frame.type),
      onPreview: (preview) => calls.push(`preview ${preview.lastSeq}`),
      onStatus: () => undefined,
      onReset: () => calls.push('reset'),
      onRefused: () => undefined,
    },
    {
      read: (key) => stored.get(key) ?? null,
      write: (key, value) => void stored.set(key, value),
      remove: (key) => void stored.delete(key),
    },
  );
  controller?.hostConnected();
  cleanup = async () => {
    controller?.hostDisconnected();
    await site.close();
  };
  return { connection, calls, frames };
}
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('a socket refused for too many sockets (4009)', () => {
  it('does not reconnect, nor on a live page view, until the visitor sends something', async () => {
    const site = await refusingSite();
    const { connection } = connect(site);
    connection.wake();
    await until(() => site.sockets === 1);
    // Backoff would retry within 0.5 s, then 1 s: 2.5 s holds at least two retries.
    await sleep(2_500);
    expect(site.sockets).toBe(1);

    // A page view goes by POST; its answer says live, which does not wake the parked socket.
    connection.send({ type: 'page_view', page: { url: 'http://x/a', title: 'A', referrer: '' } });
    await until(() => site.liveAnswers === 1);
    await sleep(1_000);
    expect(site.sockets).toBe(1);

    // The visitor writes: one more try.
    connection.send({ type: 'message', text: 'hello?' });
    await until(() => site.sockets === 2);
    await sleep(1_500);
    expect(site.sockets).toBe(2);
  }, 15_000);
});

describe("a page view's answer below the stored read position", () => {
  it('forgets the read position of an erased conversation, so its new greetings count as unread', async () => {
    const greeting = { seq: 1, author: 'pilot', text: 'Welcome back!', at: 1 };
    const site = await refusingSite({ lastSeq: 1, messages: [greeting], live: false });
    // This browser had read up to message 57 of the conversation before it was erased.
    const stored = new Map([['read', '57']]);
    const { connection, calls } = connect(site, stored);
    connection.send({ type: 'page_view', page: { url: 'http://x/a', title: 'A', referrer: '' } });
    await until(() => calls.some((c) => c.startsWith('preview')));
    // Reset first (the messenger's read position back to 0), then the new greeting.
    expect(calls).toEqual(['reset', 'preview 1']);
    expect(stored.has('read')).toBe(false);
  });

  it('keeps the read position of the same conversation', async () => {
    const greeting = { seq: 58, author: 'pilot', text: 'Anything else?', at: 1 };
    const site = await refusingSite({ lastSeq: 58, messages: [greeting], live: false });
    const stored = new Map([['read', '57']]);
    const { connection, calls } = connect(site, stored);
    connection.send({ type: 'page_view', page: { url: 'http://x/a', title: 'A', referrer: '' } });
    await until(() => calls.some((c) => c.startsWith('preview')));
    expect(calls).toEqual(['preview 58']);
    expect(stored.get('read')).toBe('57');
  });
});

describe('a batch on the socket (the hello says batch: true)', () => {
  /** A socket that answers the hello with one batch of `frames`. */
  const batching = (frames: unknown[]) => (socket: WebSocket) =>
    socket.on('message', (data) => {
      const hello = JSON.parse(String(data)) as { type: string; batch?: boolean };
      if (hello.type !== 'hello') return;
      // The messenger asks for batches in every hello.
      expect(hello.batch).toBe(true);
      socket.send(JSON.stringify({ v: 1, type: 'batch', frames }));
    });
  const welcome = { v: 1, type: 'welcome', conversationId: 'c1', lastSeq: 2 };
  const message = (seq: number) => ({
    v: 1,
    type: 'message',
    message: { seq, author: 'pilot', text: `m${seq}`, at: 1 },
  });

  it("reads a batch's frames in order, as if each had come alone", async () => {
    const site = await refusingSite(undefined, batching([welcome, message(1), message(2)]));
    const { connection, frames } = connect(site);
    connection.wake();
    await until(() => frames.length === 3);
    expect(frames).toEqual(['welcome', 'message 1', 'message 2']);
  });

  it('reads no further once a frame of the batch closes the socket (unauthorized)', async () => {
    const unauthorized = { v: 1, type: 'error', code: 'unauthorized', message: 'no' };
    const site = await refusingSite(undefined, batching([welcome, unauthorized, message(1)]));
    const { connection, frames } = connect(site);
    connection.wake();
    await until(() => frames.includes('error'));
    await sleep(200);
    // (It then starts a fresh session, whose socket gets the same batch again.)
    expect(frames.slice(0, 2)).toEqual(['welcome', 'error']);
    expect(frames).not.toContain('message 1');
  });
});
