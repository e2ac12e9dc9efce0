/**
 * What goes out on a visitor's socket: its per-socket state (the attachment, which survives
 * hibernation) and the one way frames are written to it and it is closed (nothing else in
 * worker/conversation calls a socket's `send` or `close`: test/shared/architecture.test.ts).
 * A socket whose hello said `batch: true` gets every frame one synchronous step sends it (a
 * visitor message's stored message, the reply and the ack; a replay page) as one `batch`
 * WebSocket message, packed when the step ends (a microtask); other sockets get each frame at
 * once, as before.
 */
import { packFrames, type ServerFrame } from '../../shared/protocol.ts';

/** Per-socket state, kept in the socket attachment so it survives hibernation. */
export interface SocketAttachment {
  visitorId: string;
  pilotKey: string;
  conversationId: string;
  userId?: string | null;
  connectedAt?: number;
  /**
   * A replay page was sent and the client has not asked for the next one: live messages are
   * held back (the next page brings them, in order).
   */
  paging?: boolean;
  /** The client reads `batch` messages (its hello said so). */
  batch?: boolean;
}

type Flag = 'paging' | 'batch';

/**
 * The attachment's flags, read from it once per socket and then kept here (a broadcast
 * deserialized every socket's attachment for every message). The runtime hands the same
 * WebSocket object to every handler and `getWebSockets()` while the object lives; after
 * hibernation the sockets are new objects and are read again.
 */
const flagsOf = new WeakMap<WebSocket, Partial<Record<Flag, boolean>>>();

function flag(ws: WebSocket, name: Flag): boolean {
  let flags = flagsOf.get(ws);
  if (!flags) {
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    flags = { paging: attachment?.paging ?? false, batch: attachment?.batch ?? false };
    flagsOf.set(ws, flags);
  }
  return flags[name] ?? false;
}

function setFlag(ws: WebSocket, name: Flag, value: boolean): void {
  if (flag(ws, name) === value) return;
  const attachment = ws.deserializeAttachment() as SocketAttachment | null;
  if (!attachment) return;
  ws.serializeAttachment({ ...attachment, [name]: value });
  (flagsOf.get(ws) as Partial<Record<Flag, boolean>>)[name] = value;
}

/** Whether a socket is between replay pages (`SocketAttachment.paging`). */
export function isPaging(ws: WebSocket): boolean {
  return flag(ws, 'paging');
}

/** Marks a socket as between replay pages or not. */
export function setPaging(ws: WebSocket, paging: boolean): void {
  setFlag(ws, 'paging', paging);
}

/** A hello said whether the client reads `batch` messages; later frames follow it. */
export function setBatching(ws: WebSocket, batch: boolean): void {
  setFlag(ws, 'batch', batch);
}

export function send(ws: WebSocket, frame: ServerFrame): void {
  sendText(ws, JSON.stringify(frame));
}

/** Frames waiting for the end of this step, per batching socket. */
const waiting = new WeakMap<WebSocket, string[]>();

/** One frame's text to one socket (a broadcast encodes the frame once for all of them). */
export function sendText(ws: WebSocket, text: string): void {
  // Bare only when nothing waits: a frame never overtakes one sent before it.
  if (!flag(ws, 'batch') && !waiting.has(ws)) {
    write(ws, text);
    return;
  }
  const texts = waiting.get(ws);
  if (texts) {
    texts.push(text);
    return;
  }
  const step = [text];
  waiting.set(ws, step);
  queueMicrotask(() => {
    // Already written by `closeSocket`.
    if (waiting.get(ws) === step) flush(ws);
  });
}

/** Writes what waits for `ws`, then closes it: a close never drops frames sent before it. */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  flush(ws);
  ws.close(code, reason);
}

function flush(ws: WebSocket): void {
  const texts = waiting.get(ws);
  if (!texts) return;
  waiting.delete(ws);
  for (const message of packFrames(texts)) write(ws, message);
}

function write(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The socket closed between the commit and the send; the client replays on reconnect.
  }
}
