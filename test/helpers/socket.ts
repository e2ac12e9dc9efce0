/** WebSocket helpers for Workers-runtime tests: frames with timeouts that say what was awaited. */
import { exports } from 'cloudflare:workers';
import type { BatchFrame, ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import { BASE } from './admin.ts';

export interface TestSocket {
  ws: WebSocket;
  /** Every frame, a batch's frames in order. */
  frames: ServerFrame[];
  /** Every WebSocket message as it arrived (a batch is one). */
  raw: string[];
  send(frame: Record<string, unknown>): void;
  /** Resolves once `predicate` holds for the messages received so far. */
  waitForMessages(
    predicate: (messages: ChatMessage[]) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<ChatMessage[]>;
  messages(): ChatMessage[];
  close(): void;
}

export async function startSession(
  pilotKey: string,
  /** A previous session's `visitorKey`: resumes that visitor (a bare visitor id does not). */
  visitorKey?: string,
  origin = 'http://localhost:8787',
  /** `EdgePilot('identify', {userId, hash})`: the contact the visitor says they are. */
  user?: { userId: string; hash?: string },
) {
  const response = await exports.default.fetch(
    new Request(`${BASE}/v1/widget/${pilotKey}/session`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ ...(visitorKey ? { visitorKey } : {}), ...(user ? { user } : {}) }),
    }),
  );
  return {
    response,
    body: response.ok
      ? ((await response.json()) as {
          token: string;
          conversationId: string;
          visitorId: string;
          visitorKey: string | null;
        })
      : null,
  };
}

export async function openSocket(
  conversationId: string,
  token: string,
  lastSeq = 0,
  /** Say hello as the messenger does: it reads `batch` messages. */
  { batch = false }: { batch?: boolean } = {},
): Promise<TestSocket> {
  const response = await exports.default.fetch(
    new Request(
      `${BASE}/v1/widget/conversations/${conversationId}/socket?token=${encodeURIComponent(token)}`,
      {
        headers: { upgrade: 'websocket' },
      },
    ),
  );
  const ws = response.webSocket;
  if (!ws) throw new Error(`socket upgrade refused: ${response.status} ${await response.text()}`);
  ws.accept();
  const frames: ServerFrame[] = [];
  const raw: string[] = [];
  const listeners = new Set<() => void>();
  ws.addEventListener('message', (event) => {
    if (event.data === 'pong') return;
    raw.push(String(event.data));
    const parsed = JSON.parse(String(event.data)) as ServerFrame | BatchFrame;
    frames.push(...(parsed.type === 'batch' ? parsed.frames : [parsed]));
    for (const listener of listeners) listener();
  });
  const messages = () => frames.flatMap((f) => (f.type === 'message' ? [f.message] : []));
  const socket: TestSocket = {
    ws,
    frames,
    raw,
    // Every hello says `batch` as the first did (the server reads it from each hello).
    send: (frame) =>
      ws.send(
        JSON.stringify({
          v: 1,
          id: crypto.randomUUID(),
          ...frame,
          ...(batch && frame.type === 'hello' ? { batch } : {}),
        }),
      ),
    messages,
    waitForMessages: (predicate, what, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(messages())) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(messages());
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(messages().map((m) => m.text))}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    close: () => ws.close(1000, 'done'),
  };
  socket.send({ type: 'hello', lastSeq });
  return socket;
}
