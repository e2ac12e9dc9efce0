/**
 * The messenger's connection, as a Lit ReactiveController: session, WebSocket, heartbeat,
 * reconnect with jittered backoff, resume from the last sequence number, and a bounded queue of
 * frames that are re-sent until acknowledged (the server deduplicates by frame id, so each is
 * applied exactly once). Only this folder touches `WebSocket`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { isTerminalCloseCode } from '../../shared/errors.ts';
import {
  type ChatMessage,
  type ClientFrame,
  HEARTBEAT_PING,
  parseServerFrame,
} from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import { backoffDelay } from './backoff.ts';

export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline';

type OutgoingFrame = Exclude<ClientFrame, { type: 'hello' }>;
/** Frames as the element hands them over: without the protocol fields the transport adds. */
export type FrameInput = OutgoingFrame extends infer F
  ? F extends OutgoingFrame
    ? Omit<F, 'v' | 'id'>
    : never
  : never;

const HEARTBEAT_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const MIN_UPTIME_MS = 5_000;
const MAX_QUEUE = 100;

export interface ConnectionCallbacks {
  onMessage(message: ChatMessage): void;
  onStatus(status: ConnectionStatus): void;
}

interface Session {
  token: string;
  conversationId: string;
  visitorId: string;
  displayName: string;
}

export class Connection implements ReactiveController {
  status: ConnectionStatus = 'idle';
  displayName = '';
  private socket: WebSocket | null = null;
  private session: Session | null = null;
  private lastSeq = 0;
  private attempt = 0;
  private openedAt = 0;
  private pending: OutgoingFrame[] = [];
  private timers: ReturnType<typeof setTimeout>[] = [];
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private stopped = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly config: WidgetConfig,
    private readonly callbacks: ConnectionCallbacks,
    private readonly storage: {
      read(key: string): string | null;
      write(key: string, value: string): void;
    },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.stopped = false;
    void this.connect();
  }

  hostDisconnected(): void {
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.socket?.close(1000, 'bye');
    this.socket = null;
  }

  /** Queues a frame; it is sent now if online, else on reconnect, until acknowledged. */
  send(frame: FrameInput): void {
    const full = { ...frame, v: 1, id: newFrameId() } as OutgoingFrame;
    if (this.pending.length >= MAX_QUEUE) this.pending.shift();
    this.pending.push(full);
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(full));
  }

  /** Persists the visitor id once storage is allowed (after interaction, by default). */
  rememberVisitor(): void {
    if (this.session) this.storage.write('visitor', this.session.visitorId);
  }

  private async connect(): Promise<void> {
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    try {
      this.session ??= await this.startSession();
      this.displayName = this.session.displayName;
      this.open(this.session);
    } catch {
      this.scheduleReconnect();
    }
  }

  private async startSession(): Promise<Session> {
    const visitorId = this.storage.read('visitor');
    const response = await fetch(`${this.config.api}/v1/widget/${this.config.pilotKey}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(visitorId ? { visitorId } : {}),
    });
    if (!response.ok) throw new Error(`session ${response.status}`);
    return (await response.json()) as Session;
  }

  private open(session: Session): void {
    const base = this.config.api.replace(/^http/, 'ws');
    const url = `${base}/v1/widget/conversations/${encodeURIComponent(session.conversationId)}/socket?token=${encodeURIComponent(session.token)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    const connectTimer = setTimeout(() => socket.close(), CONNECT_TIMEOUT_MS);
    this.timers.push(connectTimer);
    let opened = false;
    socket.onopen = () => {
      opened = true;
      clearTimeout(connectTimer);
      this.openedAt = Date.now();
      this.lastHeard = this.openedAt;
      socket.send(JSON.stringify({ v: 1, type: 'hello', id: newFrameId(), lastSeq: this.lastSeq }));
      for (const frame of this.pending) socket.send(JSON.stringify(frame));
      this.startHeartbeat(socket);
      this.setStatus('online');
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = (event) => {
      clearTimeout(connectTimer);
      if (this.socket !== socket) return;
      this.socket = null;
      // A refused upgrade (expired token) never opens: start a fresh session next time.
      if (isTerminalCloseCode(event.code) || !opened) this.session = null;
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  private receive(raw: string): void {
    this.lastHeard = Date.now();
    if (raw === 'pong') return;
    const frame = parseServerFrame(raw);
    if (!frame) return;
    if (frame.type === 'ack') {
      this.pending = this.pending.filter((f) => f.id !== frame.id);
    } else if (frame.type === 'message' && frame.message.seq > this.lastSeq) {
      this.lastSeq = frame.message.seq;
      this.callbacks.onMessage(frame.message);
    } else if (frame.type === 'error' && frame.code === 'unauthorized') {
      this.session = null;
    }
  }

  private startHeartbeat(socket: WebSocket): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > HEARTBEAT_MS + PONG_TIMEOUT_MS) {
        socket.close(4000, 'heartbeat timeout');
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(HEARTBEAT_PING);
    }, HEARTBEAT_MS);
  }

  private scheduleReconnect(): void {
    clearInterval(this.heartbeat);
    if (this.stopped) return;
    if (Date.now() - this.openedAt > MIN_UPTIME_MS) this.attempt = 0;
    this.setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
    const delay = backoffDelay(this.attempt++);
    this.timers.push(setTimeout(() => void this.connect(), delay));
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.callbacks.onStatus(status);
    this.host.requestUpdate();
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    clearInterval(this.heartbeat);
  }
}

function newFrameId(): string {
  return crypto.randomUUID();
}
