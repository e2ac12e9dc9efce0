/**
 * Helpers for the in-workerd fault tests: a visitor that keeps its transcript by sequence number
 * across sockets (as the widget does), the webhook target's request log, run status from the
 * enrollment log.
 */
import { env } from 'cloudflare:test';
import { inject } from 'vitest';
import type { ChatMessage } from '../../../shared/protocol.ts';
import { call } from '../../helpers/admin.ts';
import { openSocket, type TestSocket } from '../../helpers/socket.ts';
import { eventually, json, visit } from '../../worker/runtime-helpers.ts';
import type { SeenRequest } from './fault-target.ts';

export const target = inject('faultTarget');

export async function requestsSeen(tag: string): Promise<SeenRequest[]> {
  return (await fetch(`${target}/_log?tag=${encodeURIComponent(tag)}`)).json();
}

/** A visitor whose transcript survives reconnects; every socket it opened is closed by `close()`. */
export class Visitor {
  private socket: TestSocket;
  private readonly bySeq = new Map<number, ChatMessage>();
  private readonly sockets: TestSocket[] = [];
  private readonly pending = new Map<string, Record<string, unknown>>();

  private constructor(
    readonly conversationId: string,
    private readonly token: string,
    socket: TestSocket,
  ) {
    this.socket = socket;
    this.sockets.push(socket);
  }

  static async start(publicKey: string): Promise<Visitor> {
    const v = await visit(publicKey);
    return new Visitor(v.conversationId, v.token, v.socket);
  }

  get stub() {
    return env.CONVERSATION.get(env.CONVERSATION.idFromName(this.conversationId));
  }

  private collect(): ChatMessage[] {
    for (const message of this.socket.messages()) this.bySeq.set(message.seq, message);
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  transcript(): ChatMessage[] {
    return this.collect();
  }

  /** Sends a frame and keeps it until acknowledged (the widget's outbox). */
  send(frame: Record<string, unknown>): void {
    const full = { id: crypto.randomUUID(), ...frame };
    this.pending.set(full.id as string, full);
    this.socket.send(full);
  }

  private acknowledged(): Set<string> {
    const ids = new Set<string>();
    for (const socket of this.sockets)
      for (const frame of socket.frames) if (frame.type === 'ack') ids.add(frame.id);
    return ids;
  }

  /**
   * Opens a new socket saying hello with the last sequence seen and sends every frame not yet
   * acknowledged again, with its id (the widget's reconnect).
   */
  async reconnect(): Promise<void> {
    const lastSeq = Math.max(0, ...this.collect().map((m) => m.seq));
    this.socket = await openSocket(this.conversationId, this.token, lastSeq);
    this.sockets.push(this.socket);
    const acked = this.acknowledged();
    for (const [id, frame] of this.pending) {
      if (acked.has(id)) this.pending.delete(id);
      else this.socket.send(frame);
    }
  }

  /** Waits until the transcript (across sockets) has a pilot message containing `text`. */
  async said(text: string, timeoutMs = 15_000): Promise<ChatMessage[]> {
    const has = () => this.collect().some((m) => m.author !== 'visitor' && m.text.includes(text));
    if (has()) return this.collect();
    await this.socket.waitForMessages(
      (messages) => messages.some((m) => m.author !== 'visitor' && m.text.includes(text)),
      `a message containing "${text}"`,
      timeoutMs,
    );
    return this.collect();
  }

  /** The last message offering choices. */
  question(): ChatMessage {
    const asked = this.collect().filter((m) => m.choices);
    const last = asked[asked.length - 1];
    if (!last) throw new Error('no question with choices yet');
    return last;
  }

  close(): void {
    for (const socket of this.sockets) {
      try {
        socket.close();
      } catch {
        // already closed by the server
      }
    }
  }
}

/** [author, text] pairs, the way a person reads the conversation. */
export const lines = (messages: ChatMessage[]) => messages.map((m) => [m.author, m.text]);

interface Enrollment {
  conversationId: string;
  status: string;
  error: string | null;
  nodeId: string | null;
}

/** The flow's enrollment for `conversationId` once it has reached `status`. */
export async function enrollmentReaching(flowId: string, conversationId: string, status: string) {
  const read = async () => {
    const list = await json<{ items: Enrollment[] }>(
      await call(`/v1/admin/flows/${flowId}/enrollments`),
    );
    return list.items.filter((e) => e.conversationId === conversationId);
  };
  const found = await eventually(
    read,
    (items) => items.some((e) => e.status === status),
    `an enrollment with status ${status}`,
    15_000,
  );
  return found;
}
