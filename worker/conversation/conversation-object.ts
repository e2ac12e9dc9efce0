/**
 * One Durable Object per conversation. Thin: it validates frames, prepares what the pure engine
 * needs (awaits happen only here, before the turn), then makes the turn's writes in one
 * synchronous section (one atomic SQLite commit, held behind the output gate) and only then
 * acknowledges and fans the new messages out to every open tab. I/O effects run after the
 * reply, recorded as intents in the same commit and as results in the next.
 */
import { DurableObject } from 'cloudflare:workers';
import { CloseCode, ErrorCode } from '../../shared/errors.ts';
import {
  type ChatMessage,
  type ClientFrame,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  MAX_FRAME_CHARS,
  parseClientFrame,
  type ServerFrame,
} from '../../shared/protocol.ts';
import type { AppEnv } from '../env.ts';
import { ConversationRuntime, type Identity } from './runtime.ts';
import {
  admitFrame,
  admitHello,
  freshBudget,
  MAX_SOCKETS_PER_CONVERSATION,
  REPLAY_PAGE,
  type SocketBudget,
} from './socket-budget.ts';
import { storageCensus } from './storage-census.ts';

/** Per-socket state, kept in the socket attachment so it survives hibernation. */
export interface SocketAttachment {
  visitorId: string;
  pilotKey: string;
  conversationId: string;
  userId?: string | null;
  connectedAt?: number;
  /**
   * A replay page was sent and the client has not asked for the next one: live messages are
   * held back (the next page brings them, in order). In the attachment, so it survives
   * hibernation.
   */
  paging?: boolean;
}

/** What a beacon is answered: see `receiveFrames`. */
export interface BeaconAnswer {
  refused: number[];
  retryAfterMs: number;
  lastSeq: number;
  messages: ChatMessage[];
  frames: ServerFrame[];
  live: boolean;
}

/** Sockets silent (no frame, no heartbeat) for this long are closed: the client reconnects. */
export const SOCKET_IDLE_MS = 90_000;
const SWEEP_EVERY_MS = 60_000;
const TOUCH_EVERY_MS = 10_000;

// Larger text frames are refused unparsed (shared with the beacon route).
export { MAX_FRAME_CHARS };

export class ConversationObject extends DurableObject<AppEnv> {
  private runtime: ConversationRuntime;
  private readonly touched = new WeakMap<WebSocket, number>();
  /**
   * Per-socket frame and hello budgets, in memory: the object only hibernates after ~10 s
   * without frames, longer than an empty budget takes to refill, so nothing is lost by it.
   */
  private readonly budgets = new WeakMap<WebSocket, SocketBudget>();

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.runtime = new ConversationRuntime(ctx, env, (frame) => this.broadcast(frame));
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
    // Effects that were running when a previous instance died are settled before any event.
    void ctx.blockConcurrencyWhile(async () => {
      if (this.runtime.recoverInterrupted(Date.now())) await ctx.storage.setAlarm(Date.now() + 10);
    });
  }

  /** Accepts the visitor's WebSocket; the Worker has already verified the visitor token. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const attachment: SocketAttachment = {
      visitorId: request.headers.get('x-visitor-id') ?? '',
      pilotKey: request.headers.get('x-pilot-key') ?? '',
      conversationId: request.headers.get('x-conversation-id') ?? '',
      userId: request.headers.get('x-user-id'),
      connectedAt: Date.now(),
    };
    if (this.ctx.getWebSockets().length >= MAX_SOCKETS_PER_CONVERSATION) return refuseSocket();
    this.runtime.remember(attachment as Identity);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(attachment);
    await this.ensureAlarm(Date.now() + SWEEP_EVERY_MS);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    // Before anything else, parsing included: every frame of every kind spends the budget.
    if (!this.admit(ws)) return;
    if (typeof raw === 'string' && raw.length > MAX_FRAME_CHARS) {
      // Refused before parsing: a valid frame is never this large (texts are <= 4,000 chars).
      send(ws, {
        v: 1,
        type: 'error',
        code: ErrorCode.payloadTooLarge,
        message: `Frames are at most ${MAX_FRAME_CHARS} characters`,
      });
      return;
    }
    const text = typeof raw === 'string' ? raw : null;
    const frame = text === null ? null : parseClientFrame(text);
    if (!frame) {
      send(ws, {
        v: 1,
        type: 'error',
        code: ErrorCode.invalidInput,
        message: 'Malformed frame',
        ...frameIdOf(text),
      });
      return;
    }
    this.touch(ws);
    if (frame.type === 'hello') {
      if (!this.helloAllowed(ws, frame)) return;
      this.replay(ws, frame.lastSeq);
      await this.runtime.hello();
      return;
    }
    await this.runtime.handleFrame(frame, (reply) => send(ws, reply));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 are reserved and cannot be sent back.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    ws.close(1011, 'error');
  }

  /**
   * Retries (effects whose result is unknown, events not yet queued) and the dead-socket
   * sweep. Alarms are at-least-once: every step here is idempotent.
   */
  override async alarm(): Promise<void> {
    await this.runtime.drain();
    await this.runtime.flushEvents();
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const heard = Math.max(
        this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0,
        (ws.deserializeAttachment() as SocketAttachment | null)?.connectedAt ?? 0,
      );
      if (now - heard > SOCKET_IDLE_MS) ws.close(4010, 'idle');
    }
    if (this.runtime.hasBacklog()) await this.ctx.storage.setAlarm(now + 5_000);
    else if (this.ctx.getWebSockets().length > 0)
      await this.ctx.storage.setAlarm(now + SWEEP_EVERY_MS);
  }

  private async ensureAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * A frame proves the socket is alive (same clock as the heartbeat auto-response). The
   * attachment is rewritten at most every 10 s; the memory note only saves reading it per frame.
   */
  private touch(ws: WebSocket): void {
    const now = Date.now();
    if (now - (this.touched.get(ws) ?? 0) <= TOUCH_EVERY_MS) return;
    this.touched.set(ws, now);
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (!attachment) return;
    if (now - (attachment.connectedAt ?? 0) > TOUCH_EVERY_MS)
      ws.serializeAttachment({ ...attachment, connectedAt: now });
  }

  /**
   * Spends one frame of the socket's budget. Past it, the first refusal gets one
   * `rate_limited` error frame (no id: the client resends whatever is unacknowledged after a
   * pause), later ones are dropped unread, and a client that keeps going is closed (4008).
   */
  private admit(ws: WebSocket): boolean {
    const { verdict, budget, retryAfterMs } = admitFrame(
      this.budgets.get(ws) ?? freshBudget(),
      Date.now(),
    );
    this.budgets.set(ws, budget);
    if (verdict === 'warn')
      send(ws, {
        v: 1,
        type: 'error',
        code: ErrorCode.rateLimited,
        message: `Too many frames on this socket; retry in ${retryAfterMs} ms`,
      });
    else if (verdict === 'close') ws.close(CloseCode.tooManyFrames, 'too many frames');
    return verdict === 'accept';
  }

  /**
   * A hello replays a page and may write the locale: it spends the socket's hello budget, and a
   * new locale a token of the conversation's bucket. A refused hello does nothing at all; its
   * `rate_limited` error (with its id) tells the client to say it again later.
   */
  private helloAllowed(ws: WebSocket, frame: Extract<ClientFrame, { type: 'hello' }>): boolean {
    const now = Date.now();
    const hello = admitHello(this.budgets.get(ws) ?? freshBudget(), now);
    this.budgets.set(ws, hello.budget);
    const refusal = hello.allowed
      ? this.runtime.changeLocale(frame.locale, now)
      : { retryAfterMs: hello.retryAfterMs };
    if (!refusal) return true;
    const what = hello.allowed ? 'locale changes' : 'hellos';
    send(ws, {
      v: 1,
      type: 'error',
      code: ErrorCode.rateLimited,
      message: `Too many ${what}; retry in ${refusal.retryAfterMs} ms`,
      id: frame.id,
    });
    return false;
  }

  /**
   * Sends the welcome frame and one page of the messages after `lastSeq`, in order. When more
   * remain, the welcome's `pageEnd` says where the page ends and the socket gets no live
   * messages until the client says hello again from there (so nothing arrives out of order).
   */
  private replay(ws: WebSocket, lastSeq: number): void {
    const page = this.runtime.replay(lastSeq, REPLAY_PAGE);
    const paging = page.pageEnd !== undefined;
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (attachment && (attachment.paging ?? false) !== paging)
      ws.serializeAttachment({ ...attachment, paging });
    const { conversationId, lastSeq: last, messages, pageEnd } = page;
    send(ws, {
      v: 1,
      type: 'welcome',
      conversationId,
      lastSeq: last,
      ...(paging ? { pageEnd } : {}),
    });
    for (const message of messages) send(ws, { v: 1, type: 'message', message });
  }

  /** Banners and redirects broadcast while a beacon is applied, for its answer (bounded: one turn's). */
  private readonly collectors = new Set<ServerFrame[]>();

  private broadcast(frame: ServerFrame): void {
    if (frame.type === 'banner' || frame.type === 'redirect')
      for (const sent of this.collectors) if (sent.length < 10) sent.push(frame);
    for (const ws of this.ctx.getWebSockets()) {
      // A socket between replay pages gets this message with its next page.
      if (frame.type === 'message' && (ws.deserializeAttachment() as SocketAttachment)?.paging)
        continue;
      send(ws, frame);
    }
  }

  /**
   * Beacon path: frames that arrived over HTTP instead of the socket. Returns the indexes of
   * frames the token bucket refused (nothing of them is stored, so the client may resend the
   * whole batch: frames already applied are deduplicated by id).
   *
   * A messenger that has not opened its socket yet (it opens one only when there is something
   * to receive) learns from the answer what a socket would have told it: the newest messages
   * (a proactive greeting, unread replies), the banners and redirects these frames caused, and
   * whether a run is still working (waiting for an effect) so more may follow.
   */
  async receiveFrames(
    identity: SocketAttachment,
    frames: ClientFrame[],
    locale?: string,
  ): Promise<BeaconAnswer> {
    this.runtime.remember(identity as Identity);
    // Said by a hello on a socket; a page view without one carries it (flows see `system.locale`).
    // Refused by the bucket, it stays as it was: the next hello says it again.
    if (locale) this.runtime.changeLocale(locale, Date.now());
    const sent: ServerFrame[] = [];
    this.collectors.add(sent);
    try {
      // What a socket's first hello does (once per conversation): new_conversation flows start,
      // before the page view, as they would over a socket.
      await this.runtime.hello();
      const applied = await this.applyFrames(frames);
      await this.runtime.settle();
      return { ...applied, ...this.runtime.tail(), frames: sent };
    } finally {
      this.collectors.delete(sent);
    }
  }

  private async applyFrames(frames: ClientFrame[]) {
    const refused: number[] = [];
    let retryAfterMs = 0;
    for (const [index, frame] of frames.entries()) {
      if (frame.type === 'hello') continue;
      // After one refusal the rest of the batch is refused too, so a resend keeps their order.
      if (refused.length > 0) {
        refused.push(index);
        continue;
      }
      const refusal = await this.runtime.handleFrame(frame, () => {});
      if (!refusal) continue;
      refused.push(index);
      retryAfterMs = Math.max(retryAfterMs, refusal.retryAfterMs);
    }
    return { refused, retryAfterMs };
  }

  /** Test/ops hook: the state of the active run, if any. */
  async activeRunState() {
    return this.runtime.activeRunState();
  }

  /** The transcript, for admin reads and tests. */
  async transcript() {
    return this.runtime.transcript();
  }

  /** Admin view of the conversation (null when nobody ever connected). */
  async describe() {
    return this.runtime.describe();
  }

  /** `POST /conversations/:id/messages`: ends the running flow; the pilot stays quiet. */
  async agentReply(text: string, agentId: string | null) {
    return this.runtime.agentReply(text, agentId, Date.now());
  }

  /** `POST /conversations/:id/release`: back to the AI pilot. */
  async release() {
    return this.runtime.release();
  }

  /** `POST /conversations/:id/close`. */
  async close() {
    return this.runtime.closeConversation(Date.now());
  }

  /**
   * Privacy erasure: closes every open socket (4011, the widget reconnects to an empty
   * conversation), retires the old runtime (work of it still on its way writes nothing),
   * deletes all storage (tables and the alarm) and starts a fresh runtime on the empty database. Refuses (null) an object another workspace owns. Idempotent: an
   * erased object answers with zero rows.
   */
  async erase(workspaceId: string): Promise<{ rows: Record<string, number> } | null> {
    const described = this.runtime.describe();
    if (described && described.workspaceId !== workspaceId) return null;
    // An object nobody ever connected to (or one already erased) holds only the schema
    // marker: nothing of a person's to report.
    const rows = described ? storageCensus(this.ctx.storage.sql) : {};
    this.runtime.retire();
    for (const ws of this.ctx.getWebSockets()) ws.close(CloseCode.erased, 'erased');
    await this.ctx.storage.deleteAll();
    this.runtime = new ConversationRuntime(this.ctx, this.env, (frame) => this.broadcast(frame));
    return { rows: Object.fromEntries(Object.entries(rows).filter(([, n]) => n > 0)) };
  }

  /** Privacy export: the conversation and its transcript (rich parts included). */
  async exportData(workspaceId: string) {
    const described = this.runtime.describe();
    if (!described || described.workspaceId !== workspaceId) return null;
    return { ...described, messages: this.runtime.transcript() };
  }

  /** Unpublish / unenroll: cancels the active run of `flowId` (or of any run with `runId`). */
  async cancelRuns(filter: { flowId?: string; runId?: string }, reason: string) {
    return this.runtime.cancelRuns(filter, reason, Date.now());
  }

  /**
   * Enrollment retry: a failed run continues from the node it failed on; any other run is
   * replaced by a new run of the flow's published version.
   */
  async retryRun(runId: string, flowId: string) {
    return this.runtime.retryRun(runId, flowId, Date.now());
  }
}

/** The conversation has the most sockets allowed: this one opens, says why and closes (4009). */
function refuseSocket(): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  send(pair[1], {
    v: 1,
    type: 'error',
    code: ErrorCode.rateLimited,
    message: `At most ${MAX_SOCKETS_PER_CONVERSATION} open sockets per conversation`,
  });
  pair[1].close(CloseCode.tooManySockets, 'too many sockets');
  return new Response(null, { status: 101, webSocket: pair[0] });
}

function send(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket closed between the commit and the send; the client replays on reconnect.
  }
}

/** The `id` of a frame that failed validation, when one can be read, for the error frame. */
function frameIdOf(text: string | null): { id?: string } {
  if (!text) return {};
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= 64 ? { id } : {};
  } catch {
    return {};
  }
}
