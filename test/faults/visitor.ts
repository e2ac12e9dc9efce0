/**
 * A visitor that survives faults the way the widget transport does: every client frame keeps
 * its id until acknowledged and is sent again (same id) after a reconnect; a reconnect says
 * hello with the highest sequence seen and gets what it missed. The transcript is kept by
 * sequence number, so a replayed message is never counted twice on the client side.
 */
import { randomUUID } from 'node:crypto';

export interface ChatMessage {
  seq: number;
  author: string;
  text: string;
  clientId?: string;
}

interface Frame {
  v: 1;
  type: string;
  id: string;
  [key: string]: unknown;
}

export class FaultVisitor {
  private ws: WebSocket | null = null;
  private readonly pending = new Map<string, Frame>();
  private readonly bySeq = new Map<number, ChatMessage>();
  private readonly listeners = new Set<() => void>();
  /**
   * WebSocket messages received on the current socket (for "drop every N frames"): a frame, or
   * a whole batch when the visitor reads batches (it arrives, or is lost, as one).
   */
  framesOnSocket = 0;
  reconnects = 0;
  /** Every message frame received, replays included (to see what the server re-sent). */
  deliveries = 0;

  constructor(
    private readonly base: string,
    private readonly session: { conversationId: string; token: string },
    private readonly onFrame: (visitor: FaultVisitor) => void = () => {},
    /** Say `batch: true` in every hello, as the messenger does (shared/protocol.ts). */
    private readonly batch = false,
  ) {}

  get lastSeq(): number {
    return Math.max(0, ...this.bySeq.keys());
  }

  transcript(): ChatMessage[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Opens a socket, says hello with the last sequence seen, re-sends unacknowledged frames. */
  async connect(timeoutMs = 20_000): Promise<void> {
    const url = `${this.base.replace(/^http/, 'ws')}/v1/widget/conversations/${this.session.conversationId}/socket?token=${encodeURIComponent(this.session.token)}`;
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not open')), timeoutMs);
      ws.addEventListener('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error('socket failed to open'));
      });
    });
    this.ws = ws;
    this.framesOnSocket = 0;
    ws.addEventListener('message', (event) => {
      if (this.ws !== ws || event.data === 'pong') return;
      const parsed = JSON.parse(String(event.data));
      this.framesOnSocket++;
      for (const frame of parsed.type === 'batch' ? parsed.frames : [parsed]) {
        if (frame.type === 'message') {
          this.deliveries++;
          this.bySeq.set(frame.message.seq, frame.message);
        } else if (frame.type === 'ack') this.pending.delete(frame.id);
      }
      this.onFrame(this);
      for (const listener of [...this.listeners]) listener();
    });
    ws.addEventListener('close', () => {
      if (this.ws === ws) this.ws = null;
      for (const listener of [...this.listeners]) listener();
    });
    const hello = { v: 1, type: 'hello', id: randomUUID(), lastSeq: this.lastSeq };
    ws.send(JSON.stringify(this.batch ? { ...hello, batch: true } : hello));
    for (const frame of this.pending.values()) ws.send(JSON.stringify(frame));
  }

  get connected(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Drops the socket without waiting for anything (what a network failure looks like). */
  drop(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.close(4000, 'dropped by the fault test');
  }

  /** Sends a frame (kept until acknowledged); `id` lets a test send the same frame again. */
  send(frame: Omit<Frame, 'v' | 'id'> & { id?: string }): string {
    const full = { v: 1, id: frame.id ?? randomUUID(), ...frame } as Frame;
    this.pending.set(full.id, full);
    if (this.connected) this.ws?.send(JSON.stringify(full));
    return full.id;
  }

  /** Sends raw text on the current socket without tracking it (duplicates, reorderings). */
  sendRaw(frame: Frame): void {
    this.ws?.send(JSON.stringify(frame));
  }

  get unacknowledged(): number {
    return this.pending.size;
  }

  /** Waits for `predicate`, reconnecting whenever the socket is gone; bounded by `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}; transcript ${JSON.stringify(this.transcript().map((m) => m.text))}`,
        );
      }
      if (!this.connected) {
        this.reconnects++;
        await this.connect().catch(() => new Promise((r) => setTimeout(r, 200)));
        continue;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.listeners.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 250);
        this.listeners.add(wake);
      });
    }
  }

  close(): void {
    this.drop();
  }
}

/** Visitor messages in order, and how many pilot answers follow each (must be exactly 1). */
export function answersPerMessage(transcript: ChatMessage[]) {
  const result: { text: string; answers: number }[] = [];
  for (const message of transcript) {
    if (message.author === 'visitor') result.push({ text: message.text, answers: 0 });
    else if (result.length > 0) result[result.length - 1]!.answers++;
  }
  return result;
}

/** POST /v1/widget/:pilotKey/session from a trusted origin. */
export async function startSession(base: string, pilotKey = 'pk_demo', visitorKey?: string) {
  const response = await fetch(`${base}/v1/widget/${pilotKey}/session`, {
    method: 'POST',
    headers: { origin: 'http://localhost', 'content-type': 'application/json' },
    body: JSON.stringify(visitorKey ? { visitorKey } : {}),
  });
  if (!response.ok) throw new Error(`session refused: ${response.status} ${await response.text()}`);
  return (await response.json()) as {
    conversationId: string;
    token: string;
    visitorId: string;
    visitorKey: string;
  };
}
