/**
 * One Durable Object per conversation: the socket and RPC boundary. It spends each socket's
 * budget, validates frames and hands them to the runtime (runtime.ts), whose turns make their
 * writes in one atomic commit and only then acknowledge and fan out (turn.ts). A frame or an
 * RPC that throws is logged with the object and answered with a clean error; the socket stays
 * open. Close codes come from `CloseCode` (shared/errors.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import { CloseCode, ErrorCode } from '../../shared/errors.ts';
import {
  type ChatMessage,
  type ClientFrame,
  errorFrame,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  MAX_FRAME_CHARS,
  parseClientFrame,
  type ServerFrame,
} from '../../shared/protocol.ts';
import type { AppEnv } from '../env.ts';
import { ConversationRuntime, type Identity, type RetryResult } from './runtime.ts';
import {
  admitFrame,
  admitHello,
  BEACON_BURST,
  BEACONS_PER_SECOND,
  type Bucket,
  freshBudget,
  MAX_SOCKETS_PER_CONVERSATION,
  REPLAY_PAGE,
  SOCKET_OPEN_BURST,
  SOCKET_OPENS_PER_SECOND,
  type SocketBudget,
  takeToken,
} from './socket-budget.ts';
import { closeSocket, type SocketAttachment, send, setBatching, setPaging } from './socket-out.ts';
import { storageCensus } from './storage.ts';

export type { SocketAttachment };

/** What a beacon is answered: see `receiveFrames`. */
export type BeaconAnswer = BeaconPage | BeaconLimited;

/** The conversation's beacon budget is spent: nothing was read, applied or replayed. */
export interface BeaconLimited {
  limited: true;
  retryAfterMs: number;
}

export interface BeaconPage {
  limited: false;
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
  /**
   * Made on first use, not in the constructor: making it creates the tables, and an admin read
   * of an id nobody ever connected to (`describe`) must not leave an object with a schema
   * behind for every id a key holder makes up.
   */
  private made: ConversationRuntime | null = null;
  /**
   * The last look found no tables (or an erasure removed them): nothing else writes here, so
   * the next runtime makes them without first reading the table that is not there.
   */
  private noTables = false;
  private readonly touched = new WeakMap<WebSocket, number>();
  /**
   * Per-socket frame and hello budgets, in memory: the object only hibernates after ~10 s
   * without frames, longer than an empty budget takes to refill, so nothing is lost by it.
   */
  private readonly budgets = new WeakMap<WebSocket, SocketBudget>();
  /** HTTP beacons of this conversation (BEACON_BURST), in memory for the same reason. */
  private beacons: Bucket | null = null;
  /** Hellos of all this conversation's sockets (CONVERSATION_HELLO_BURST), and socket opens. */
  private hellos: Bucket | null = null;
  private opens: Bucket | null = null;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
    // Effects that were running when a previous instance died are settled before any event.
    // An object without tables has nothing to recover (and is not given any by this).
    void ctx.blockConcurrencyWhile(async () => {
      if (!this.hasTables()) return;
      if (this.runtime.recoverInterrupted(Date.now())) await ctx.storage.setAlarm(Date.now() + 10);
    });
  }

  private get runtime(): ConversationRuntime {
    if (!this.made) {
      this.made = new ConversationRuntime(this.ctx, this.env, this.noTables);
      this.noTables = false;
    }
    return this.made;
  }

  /** Whether anything ever wrote here (a read of sqlite_master creates nothing). */
  private hasTables(): boolean {
    if (this.made) return true;
    const has =
      this.ctx.storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
        .toArray().length > 0;
    this.noTables = !has;
    return has;
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
    if (this.ctx.getWebSockets().length >= MAX_SOCKETS_PER_CONVERSATION)
      return refuseSocket(
        `At most ${MAX_SOCKETS_PER_CONVERSATION} open sockets per conversation`,
        CloseCode.tooManySockets,
      );
    const open = takeToken(this.opens, Date.now(), SOCKET_OPEN_BURST, SOCKET_OPENS_PER_SECOND);
    this.opens = open.bucket;
    // Opened too fast: a retry after a moment succeeds, so the close code says retry (not park).
    if (!open.allowed)
      return refuseSocket(
        `Too many connections; retry in ${open.retryAfterMs} ms`,
        CloseCode.tooManyConnections,
      );
    this.runtime.remember(attachment as Identity);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(attachment);
    await this.ensureAlarm(Date.now() + SWEEP_EVERY_MS);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    try {
      await this.handleMessage(ws, raw);
    } catch (error) {
      // Whatever a frame did, the socket stays usable: the sender gets one clean error frame
      // (with its frame's id when it can be read) and the failure is logged with the object.
      this.logFailure('socket_frame', error);
      const id =
        typeof raw === 'string' && raw.length <= MAX_FRAME_CHARS ? frameIdOf(raw) : undefined;
      send(ws, errorFrame(ErrorCode.internal, 'The frame could not be handled; try again', id));
    }
  }

  private async handleMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    // Before anything else, parsing included: every frame of every kind spends the budget.
    if (!this.admit(ws)) return;
    if (typeof raw === 'string' && raw.length > MAX_FRAME_CHARS) {
      // Refused before parsing: a valid frame is never this large (texts are <= 4,000 chars).
      send(
        ws,
        errorFrame(ErrorCode.payloadTooLarge, `Frames are at most ${MAX_FRAME_CHARS} characters`),
      );
      return;
    }
    const text = typeof raw === 'string' ? raw : null;
    const frame = text === null ? null : parseClientFrame(text);
    if (!frame) {
      send(ws, errorFrame(ErrorCode.invalidInput, 'Malformed frame', frameIdOf(text)));
      return;
    }
    this.touch(ws);
    if (frame.type === 'hello') {
      if (!this.helloAllowed(ws, frame)) return;
      setBatching(ws, frame.batch === true);
      this.replay(ws, frame.lastSeq);
      await this.runtime.hello();
      return;
    }
    await this.runtime.handleFrame(frame, (reply) => send(ws, reply));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 are reserved and cannot be sent back.
    closeSocket(ws, code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeSocket(ws, 1011, 'error');
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
      if (now - heard > SOCKET_IDLE_MS) closeSocket(ws, CloseCode.idle, 'idle');
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
      send(
        ws,
        errorFrame(
          ErrorCode.rateLimited,
          `Too many frames on this socket; retry in ${retryAfterMs} ms`,
        ),
      );
    else if (verdict === 'close') closeSocket(ws, CloseCode.tooManyFrames, 'too many frames');
    return verdict === 'accept';
  }

  /**
   * A hello replays a page and may write the locale: it spends the socket's hello budget, and a
   * new locale a token of the conversation's bucket. A refused hello does nothing at all; its
   * `rate_limited` error (with its id) tells the client to say it again later.
   */
  private helloAllowed(ws: WebSocket, frame: Extract<ClientFrame, { type: 'hello' }>): boolean {
    const now = Date.now();
    const hello = admitHello(this.budgets.get(ws) ?? freshBudget(), this.hellos, now);
    this.budgets.set(ws, hello.budget);
    this.hellos = hello.shared;
    const refusal = hello.allowed
      ? this.runtime.changeLocale(frame.locale, now)
      : { retryAfterMs: hello.retryAfterMs };
    if (!refusal) return true;
    const what = hello.allowed ? 'locale changes' : 'hellos';
    send(
      ws,
      errorFrame(
        ErrorCode.rateLimited,
        `Too many ${what}; retry in ${refusal.retryAfterMs} ms`,
        frame.id,
      ),
    );
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
    setPaging(ws, paging);
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

  /**
   * Beacon path: frames that arrived over HTTP instead of the socket. Returns the indexes of
   * frames the token bucket refused (nothing of them is stored, so the client may resend the
   * whole batch: frames already applied are deduplicated by id).
   *
   * A messenger that has not opened its socket yet (it opens one only when there is something
   * to receive) learns from the answer what a socket would have told it: the newest messages
   * (a proactive greeting, unread replies), the banners and redirects these frames caused, and
   * whether more may follow without the visitor (`live`: a run waits for an effect, a person
   * has the open conversation and someone wrote in the last hours, or the visitor wrote in the
   * last 15 minutes; the rule is ConversationRuntime.tail's).
   */
  receiveFrames(
    identity: SocketAttachment,
    frames: ClientFrame[],
    locale?: string,
  ): Promise<BeaconAnswer> {
    return this.rpc('receiveFrames', async (): Promise<BeaconAnswer> => {
      // Spent before anything else, as a socket spends its budget before parsing a frame: a
      // resent (duplicate) frame is acknowledged for free below, but its settle and tail are not.
      const beacon = takeToken(this.beacons, Date.now(), BEACON_BURST, BEACONS_PER_SECOND);
      this.beacons = beacon.bucket;
      if (!beacon.allowed) return { limited: true, retryAfterMs: beacon.retryAfterMs };
      this.runtime.remember(identity as Identity);
      // Said by a hello on a socket; a page view without one carries it (flows see
      // `system.locale`). Refused by the bucket, it stays as it was: the next hello says it again.
      if (locale) this.runtime.changeLocale(locale, Date.now());
      const { result: applied, frames: sent } = await this.runtime.collecting(async () => {
        // What a socket's first hello does (once per conversation): new_conversation flows
        // start, before the page view, as they would over a socket.
        await this.runtime.hello();
        const applied = await this.applyFrames(frames);
        await this.runtime.settle();
        return applied;
      });
      return { limited: false, ...applied, ...this.runtime.tail(), frames: sent };
    });
  }

  private async applyFrames(
    frames: ClientFrame[],
  ): Promise<{ refused: number[]; retryAfterMs: number }> {
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
  activeRunState() {
    return this.rpc('activeRunState', () => this.runtime.activeRunState());
  }

  /** The transcript (the messages after `after`), for admin reads and tests. */
  transcript(after = 0) {
    return this.rpc('transcript', () => (this.hasTables() ? this.runtime.transcript(after) : []));
  }

  /** Admin view of the conversation (null when nobody ever connected: no tables are made). */
  describe() {
    return this.rpc('describe', () => (this.hasTables() ? this.runtime.describe() : null));
  }

  /**
   * Whether this object holds a conversation of `workspaceId`, asked again inside each admin
   * action: the route's own check is a separate call, and an erasure landing between the two
   * must not have the action write a fresh conversation into the emptied object.
   */
  private holds(workspaceId: string): boolean {
    return this.hasTables() && this.runtime.describe()?.workspaceId === workspaceId;
  }

  /** `POST /conversations/:id/messages`: ends the running flow; the pilot stays quiet. */
  agentReply(workspaceId: string, text: string, agentId: string | null) {
    return this.rpc('agentReply', () =>
      this.holds(workspaceId) ? this.runtime.agentReply(text, agentId) : null,
    );
  }

  /** `POST /conversations/:id/release`: back to the AI pilot. */
  release(workspaceId: string) {
    return this.rpc('release', () => (this.holds(workspaceId) ? this.runtime.release() : null));
  }

  /** `POST /conversations/:id/close`. */
  close(workspaceId: string) {
    return this.rpc('close', () =>
      this.holds(workspaceId) ? this.runtime.closeConversation() : null,
    );
  }

  /**
   * Privacy erasure: closes every open socket (4011, the widget reconnects to an empty
   * conversation), retires the old runtime (work of it still on its way writes nothing),
   * deletes all storage (tables and the alarm); the next use starts a fresh runtime on the
   * empty database. Refuses (null) an object another workspace owns. Idempotent: an erased object
   * answers with zero rows.
   */
  erase(workspaceId: string): Promise<{ rows: Record<string, number> } | null> {
    return this.rpc('erase', async () => {
      // Nothing was ever written: nothing to erase, and no tables to create by asking.
      if (!this.hasTables()) return { rows: {} };
      const described = this.runtime.describe();
      if (described && described.workspaceId !== workspaceId) return null;
      // An object nobody ever connected to (or one already erased) holds only the schema
      // marker: nothing of a person's to report.
      const rows = described ? storageCensus(this.ctx.storage.sql) : {};
      this.runtime.retire();
      for (const ws of this.ctx.getWebSockets()) closeSocket(ws, CloseCode.erased, 'erased');
      await this.ctx.storage.deleteAll();
      // The next use starts a fresh runtime (and schema) on the empty database.
      this.made = null;
      this.noTables = true;
      return { rows: Object.fromEntries(Object.entries(rows).filter(([, n]) => n > 0)) };
    });
  }

  /** Privacy export: the conversation and its transcript (rich parts included). */
  exportData(workspaceId: string) {
    return this.rpc('exportData', () => {
      if (!this.hasTables()) return null;
      const described = this.runtime.describe();
      if (!described || described.workspaceId !== workspaceId) return null;
      return { ...described, messages: this.runtime.transcript() };
    });
  }

  /** Unpublish / unenroll: cancels the active run of `flowId` (or of any run with `runId`). */
  cancelRuns(filter: { flowId?: string; runId?: string }, reason: string) {
    return this.rpc('cancelRuns', () => this.runtime.cancelRuns(filter, reason));
  }

  /**
   * Enrollment retry: a failed run continues from the node it failed on; any other run is
   * replaced by a new run of the flow's published version.
   */
  retryRun(runId: string, flowId: string): Promise<RetryResult> {
    return this.rpc('retryRun', () => this.runtime.retryRun(runId, flowId));
  }

  /**
   * Every RPC answers through here: a failure is logged with the object it happened in, and
   * the caller gets a clean error naming the call (never a stack or a SQL message).
   */
  private async rpc<T>(method: string, work: () => Promise<T> | T): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.logFailure(method, error);
      throw new Error(`conversation ${method} failed`);
    }
  }

  private logFailure(where: string, error: unknown): void {
    console.error(
      JSON.stringify({
        event: 'conversation_failed',
        where,
        object: this.ctx.id.toString(),
        conversationId: this.made?.conversationId() ?? null,
        error: String(error),
      }),
    );
  }
}

/**
 * The conversation has the most sockets allowed (4009), or sockets were opened too fast just now
 * (4013): this one opens, says why and closes with `code`.
 */
function refuseSocket(why: string, code: CloseCode): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  send(pair[1], errorFrame(ErrorCode.rateLimited, why));
  closeSocket(pair[1], code, code === CloseCode.tooManySockets ? 'too many sockets' : 'too fast');
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** The `id` of a frame that failed validation, when one can be read, for the error frame. */
function frameIdOf(text: string | null): string | undefined {
  if (!text) return undefined;
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' && id.length <= 64 ? id : undefined;
  } catch {
    return undefined;
  }
}
