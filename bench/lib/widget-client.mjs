// A scripted visitor speaking the real widget protocol (shared/protocol.ts) over Node's
// built-in WebSocket: POST session, socket, hello, message frames. Used by `npm run bench`
// and the fault suite (test/faults), so both measure exactly what a browser would do.
import { randomUUID } from 'node:crypto';

const DEFAULT_ORIGIN = 'http://localhost';

/** POST /v1/widget/:pilotKey/session from a trusted origin. */
export async function startSession(base, pilotKey, { origin = DEFAULT_ORIGIN, visitorKey } = {}) {
  const response = await fetch(`${base}/v1/widget/${pilotKey}/session`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify(visitorKey ? { visitorKey } : {}),
  });
  if (!response.ok) throw new Error(`session refused: ${response.status} ${await response.text()}`);
  return response.json();
}

function socketUrl(base, session) {
  const ws = base.replace(/^http/, 'ws');
  return `${ws}/v1/widget/conversations/${session.conversationId}/socket?token=${encodeURIComponent(session.token)}`;
}

/** Opens a WebSocket and resolves once it is open (or rejects after `timeoutMs`). */
export function openWebSocket(url, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`WebSocket ${url.split('?')[0]} did not open within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.addEventListener('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${url.split('?')[0]} failed to open`));
    });
  });
}

/** One visitor tab: a socket to the conversation, every server frame it received, and waits. */
export class WidgetTab {
  /** Opens the socket, says hello with `lastSeq` and waits for the welcome frame. */
  static async open(base, session, { lastSeq = 0, timeoutMs = 15_000 } = {}) {
    const ws = await openWebSocket(socketUrl(base, session), timeoutMs);
    const tab = new WidgetTab(ws);
    // As the messenger says it (widget/transport/connection.ts): it reads `batch` messages.
    tab.send({ type: 'hello', lastSeq, batch: true });
    await tab.waitFor(() => tab.welcome, 'the welcome frame', timeoutMs);
    return tab;
  }

  constructor(ws) {
    this.ws = ws;
    this.welcome = null;
    /** Every chat message frame, in arrival order (replays included). */
    this.received = [];
    this.acks = new Set();
    this.errors = [];
    this.closed = false;
    this.listeners = new Set();
    ws.addEventListener('message', (event) => this.onFrame(String(event.data)));
    ws.addEventListener('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  onFrame(raw) {
    if (raw === 'pong') return;
    const parsed = JSON.parse(raw);
    for (const frame of parsed.type === 'batch' ? parsed.frames : [parsed]) {
      if (frame.type === 'welcome') this.welcome = frame;
      else if (frame.type === 'message') this.received.push(frame.message);
      else if (frame.type === 'ack') this.acks.add(frame.id);
      else if (frame.type === 'error') this.errors.push(frame);
    }
    this.notify();
  }

  notify() {
    for (const listener of [...this.listeners]) listener();
  }

  /** Sends a client frame; returns its id. */
  send(frame) {
    const id = frame.id ?? randomUUID();
    this.ws.send(JSON.stringify({ v: 1, id, ...frame }));
    return id;
  }

  /** Resolves once `predicate()` is truthy; rejects naming `what` after `timeoutMs`. */
  waitFor(predicate, what, timeoutMs = 15_000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value;
        try {
          value = predicate();
        } catch (error) {
          this.listeners.delete(check);
          clearTimeout(timer);
          reject(error);
          return;
        }
        if (value) {
          this.listeners.delete(check);
          clearTimeout(timer);
          resolve(value);
        } else if (this.closed) {
          this.listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`socket closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /**
   * Sends a visitor message and resolves with the first pilot/agent message that arrives
   * after it (the reply) and the milliseconds it took.
   */
  async ask(text, timeoutMs = 15_000) {
    const from = this.received.length;
    const started = performance.now();
    const id = this.send({ type: 'message', text });
    const reply = await this.waitFor(
      () => {
        const refused = this.errors.find((e) => e.id === id);
        if (refused) throw new Error(`"${text}" refused: ${refused.code} ${refused.message}`);
        return this.received.slice(from).find((m) => m.author !== 'visitor');
      },
      `a reply to "${text}"`,
      timeoutMs,
    );
    return { reply, ms: performance.now() - started };
  }

  /** Distinct messages by sequence number, in sequence order. */
  transcript() {
    const bySeq = new Map(this.received.map((m) => [m.seq, m]));
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  close() {
    if (!this.closed) this.ws.close(1000, 'done');
  }
}

/** A bare echo socket to bench/echo-worker: `ask` resolves with the echoed frame. */
export class EchoTab {
  static async open(base, name) {
    const ws = await openWebSocket(`${base.replace(/^http/, 'ws')}/socket?name=${name}`);
    return new EchoTab(ws);
  }

  constructor(ws) {
    this.ws = ws;
    this.pending = null;
    this.closeCode = null;
    ws.addEventListener('message', () => {
      const pending = this.pending;
      this.pending = null;
      pending?.(null);
    });
    ws.addEventListener('close', (event) => {
      this.closeCode = event.code;
      this.pending?.(new Error(`echo socket closed (${event.code})`));
    });
  }

  ask(text, timeoutMs = 15_000) {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      if (this.closeCode !== null)
        return reject(new Error(`echo socket closed (${this.closeCode})`));
      const timer = setTimeout(
        () => reject(new Error(`echo timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending = (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve({ ms: performance.now() - started });
      };
      this.ws.send(JSON.stringify({ v: 1, type: 'message', id: randomUUID(), text }));
    });
  }

  close() {
    this.ws.close(1000, 'done');
  }
}
