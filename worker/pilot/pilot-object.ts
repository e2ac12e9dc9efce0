/**
 * One Durable Object per pilot: the place for state that spans conversations of a pilot and
 * must be exact (`frequency: once` and cooldown claims) and the live view (active
 * conversations, streamed to admin WebSocket subscribers). Off the message hot path: claims
 * are asked only when a flow with such a setting is about to start; a conversation pushes its
 * live row here after its turn has committed and its reply was sent (`pushLive`, fire and
 * forget: the visitor never waits for it), and the queue consumer sends the same rows later in
 * batches (`applyLive`, the durable path). Newer-wins by the conversation's `seq`.
 */
import { DurableObject } from 'cloudflare:workers';
import { CloseCode, ErrorCode } from '../../shared/errors.ts';
import { sha256Hex } from '../auth/hash.ts';
import { type Bucket, takeToken } from '../conversation/socket-budget.ts';
import { nextInTurn } from '../effects/round-robin.ts';
import type { AppEnv } from '../env.ts';
import { errorBody } from '../http/api-error.ts';
import { type UnansweredQuestion, UnansweredStore } from '../knowledge/unanswered-store.ts';
import {
  LIVE_KEY_HEADER,
  LIVE_LAGGING_EVERY_MS,
  LIVE_PUSH_BURST,
  LIVE_PUSHES_PER_SECOND,
  MAX_LIVE_SOCKETS_PER_KEY,
  MAX_LIVE_SUBSCRIBERS,
} from '../live/live-limits.ts';
import { type LiveConversation, LiveStore, liveConversationSchema } from '../live/live-store.ts';
import {
  LiveTickets,
  type MintResult,
  type Redeemed,
  type TicketGrant,
} from '../live/live-tickets.ts';
import { CANCEL_BATCH_DELAY_MS, type CancelProgress, FlowRunCancels } from './cancel-flow-runs.ts';

/** What a live subscriber's socket remembers: which key opened it (revoking it closes it). */
interface LiveAttachment {
  keyId: string;
}

export class PilotObject extends DurableObject<AppEnv> {
  private readonly live: LiveStore;
  private readonly unanswered: UnansweredStore;
  private readonly tickets: LiveTickets;
  private readonly cancels: FlowRunCancels;
  /** Direct pushes' token bucket (in memory: a fresh object starts with a full one). */
  private pushBudget: Bucket | null = null;
  private laggingSentAt = 0;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS claims (flow_id TEXT NOT NULL, subject TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (flow_id, subject))',
    );
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS rotation (pool TEXT PRIMARY KEY, user_id TEXT NOT NULL)',
    );
    // Subscribers' heartbeats are answered without waking the object (see webSocketMessage).
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.live = new LiveStore(ctx.storage.sql);
    this.unanswered = new UnansweredStore(ctx.storage.sql);
    this.tickets = new LiveTickets(ctx.storage.sql);
    this.cancels = new FlowRunCancels(ctx.storage.sql, env, this.live);
  }

  /** Records a live-socket ticket (its hash), unless the pilot or the key has too many open. */
  async mintLiveTicket(hash: string, grant: TicketGrant): Promise<MintResult> {
    return this.tickets.mint(hash, grant, Date.now());
  }

  /** Consumes a live-socket ticket: single use, whatever the outcome. */
  async redeemLiveTicket(hash: string): Promise<Redeemed> {
    return this.tickets.redeem(hash, Date.now());
  }

  /**
   * Claims "flow ran for subject" once. True for the first caller only, even when several
   * conversations ask at the same time (the object serializes them).
   */
  async claimOnce(flowId: string, subject: string, now: number): Promise<boolean> {
    return this.claimRun(flowId, subject, now, { once: true, cooldownMs: 0 });
  }

  /**
   * Atomically checks and records a run start for `subject`: refused when the flow runs once
   * and already ran, or ran less than `cooldownMs` ago. One synchronous section: no two
   * callers can both pass.
   */
  async claimRun(
    flowId: string,
    subject: string,
    now: number,
    rule: { once: boolean; cooldownMs: number },
  ): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    const last = sql
      .exec<{ at: number }>(
        'SELECT at FROM claims WHERE flow_id = ? AND subject = ?',
        flowId,
        subject,
      )
      .toArray()[0];
    if (last && rule.once) return false;
    if (last && rule.cooldownMs > 0 && now - last.at < rule.cooldownMs) return false;
    sql.exec(
      'INSERT INTO claims (flow_id, subject, at) VALUES (?, ?, ?) ON CONFLICT(flow_id, subject) DO UPDATE SET at = excluded.at',
      flowId,
      subject,
      now,
    );
    return true;
  }

  /**
   * Round robin: the candidate after the one this pool assigned last (atomic: the object
   * serializes callers, so two conversations never get the same turn).
   */
  async nextAssignee(pool: string, candidates: string[]): Promise<string | null> {
    const sql = this.ctx.storage.sql;
    const last = sql
      .exec<{ user_id: string }>('SELECT user_id FROM rotation WHERE pool = ?', pool)
      .toArray()[0];
    const next = nextInTurn(candidates, last?.user_id ?? null);
    if (next)
      sql.exec(
        'INSERT INTO rotation (pool, user_id) VALUES (?, ?) ON CONFLICT(pool) DO UPDATE SET user_id = excluded.user_id',
        pool,
        next,
      );
    return next;
  }

  /** Live view updates (from the queue consumer); each changed row goes to every subscriber. */
  async applyLive(rows: LiveConversation[]): Promise<void> {
    this.fanOut(this.live.apply(await this.notErased(rows)));
  }

  /**
   * One conversation's row, pushed by its object right after a turn (the live view's fast
   * path). Parsed: it crosses from another object. A row older than the stored one changes
   * nothing. Past the pilot's push rate (LIVE_PUSHES_PER_SECOND) a push is refused before it is
   * parsed (subscribers are told the view lags, and the queue brings the row). With no live
   * socket open it is still stored, so a console that connects next finds the visitor in its
   * snapshot at once (a page view usually comes before anyone watches; left to the queue's copy,
   * the visitor was missing from a live view opened meanwhile, for as long as the queue lagged).
   * The answer `false` tells the conversation to stop pushing for a while: unwatched, that is one
   * row write per window and no fan-out.
   */
  async pushLive(row: LiveConversation): Promise<boolean> {
    const now = Date.now();
    const take = takeToken(this.pushBudget, now, LIVE_PUSH_BURST, LIVE_PUSHES_PER_SECOND);
    this.pushBudget = take.bucket;
    if (!take.allowed) {
      this.signalLagging(now);
      return false;
    }
    const changed = this.live.apply(await this.notErased([liveConversationSchema.parse(row)]));
    if (this.ctx.getWebSockets().length === 0) return false;
    this.fanOut(changed);
    return true;
  }

  /** Subscribers learn that rows now come through the queue, a second or two late. */
  private signalLagging(now: number): void {
    if (now - this.laggingSentAt < LIVE_LAGGING_EVERY_MS) return;
    this.laggingSentAt = now;
    this.broadcast(JSON.stringify({ type: 'lagging', reason: 'push_rate' }));
  }

  /**
   * Rows built before their conversation was erased (a push still in flight when the erasure
   * ran) stay out; the fresh conversation's rows are newer than the erasure and go in.
   */
  private async notErased(rows: LiveConversation[]): Promise<LiveConversation[]> {
    if (!this.live.hasTombstones()) return rows;
    const kept: LiveConversation[] = [];
    for (const row of rows) {
      const erasedAt = this.live.erasedAt(await sha256Hex(row.conversationId));
      if (erasedAt === null || row.seq > erasedAt) kept.push(row);
    }
    return kept;
  }

  private fanOut(changed: LiveConversation[]): void {
    if (changed.length === 0) return;
    this.broadcast(JSON.stringify({ type: 'changes', items: changed }));
  }

  private broadcast(frame: string): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(frame);
      } catch {
        // A closed subscriber; it re-reads the list when it reconnects.
      }
    }
  }

  /**
   * Privacy erasure: drops the live-view rows of `conversationIds` and the frequency/cooldown
   * claims of `subjects` (`visitor:…`, `contact:…`) and their asks in the unanswered-questions
   * list; a later visit starts as a new visitor.
   * Subscribers get a `removed` frame. Idempotent; returns how many rows went.
   */
  async forget(
    conversationIds: string[],
    subjects: string[],
  ): Promise<{ liveRows: number; claims: number; unansweredQuestions: number }> {
    const hashes = await Promise.all(conversationIds.map((id) => sha256Hex(id)));
    const liveRows = this.live.remove(conversationIds, hashes);
    const unansweredQuestions = this.unanswered.forget(conversationIds);
    let claims = 0;
    for (const subject of subjects)
      claims += this.ctx.storage.sql.exec(
        'DELETE FROM claims WHERE subject = ?',
        subject,
      ).rowsWritten;
    if (liveRows > 0) this.broadcast(JSON.stringify({ type: 'removed', conversationIds }));
    return { liveRows, claims, unansweredQuestions };
  }

  /** Active conversations (open, or with a run), most recent first. */
  async liveList(limit: number): Promise<LiveConversation[]> {
    return this.live.list(limit);
  }

  /**
   * Unpublish: cancels one batch of the flow's running runs now and leaves the rest to the
   * alarm, one batch at a time (cancel-flow-runs.ts). Answers what this batch did.
   */
  async cancelFlowRuns(flowId: string, reason: string): Promise<CancelProgress> {
    const job = this.cancels.begin(flowId, reason, Date.now());
    // The alarm first: if the batch below throws, the job still continues from it.
    await this.scheduleCancels(CANCEL_BATCH_DELAY_MS);
    try {
      return await this.cancels.first(job);
    } catch (error) {
      console.error(
        JSON.stringify({ event: 'cancel_first_batch_failed', flowId, error: String(error) }),
      );
      return { cancelled: 0, pending: true };
    }
  }

  /**
   * The next batch of an unpublished flow's runs (at-least-once: the job's cursor makes it safe).
   * `continue` logs a failing batch instead of throwing, and says how long to back off.
   */
  override async alarm(): Promise<void> {
    const { pending, delayMs } = await this.cancels.continue(Date.now());
    if (pending) await this.scheduleCancels(delayMs);
  }

  private async scheduleCancels(delayMs: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + delayMs);
  }

  /** A question the pilot had no knowledge answer for (the admin's to-do list). */
  async noteUnanswered(question: string, at: number, conversationId: string | null = null) {
    this.unanswered.note(question, at, conversationId);
  }

  /**
   * A queue batch of unanswered questions (the runtime's path): one call, one trim. Items
   * carry their event `id`: a redelivered event is counted once.
   */
  async noteUnansweredMany(
    items: { id?: string; question: string; at: number; conversationId: string | null }[],
  ): Promise<void> {
    this.ctx.storage.transactionSync(() => this.unanswered.noteMany(items));
  }

  async unansweredList(
    limit: number,
    after?: { count: number; id: string },
  ): Promise<UnansweredQuestion[]> {
    return this.unanswered.list(limit, after);
  }

  async clearUnanswered(): Promise<void> {
    this.unanswered.clear();
  }

  /**
   * `DELETE /api-keys/:id`: a revoked key stops reading at once, open live sockets included
   * (a hibernating socket would otherwise stream visitors' messages to it forever).
   */
  async closeSubscribers(keyId: string): Promise<number> {
    let closed = 0;
    for (const ws of this.ctx.getWebSockets()) {
      if ((ws.deserializeAttachment() as LiveAttachment | null)?.keyId !== keyId) continue;
      ws.close(CloseCode.unauthorized, 'API key revoked');
      closed++;
    }
    return closed;
  }

  /** `GET /v1/admin/live/socket`: the Worker has checked the admin key or a ticket, and names the key. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    // Every change fans out to every subscriber: their number is bounded.
    if (this.ctx.getWebSockets().length >= MAX_LIVE_SUBSCRIBERS) {
      const message = `At most ${MAX_LIVE_SUBSCRIBERS} live view sockets per pilot`;
      return Response.json(errorBody(ErrorCode.rateLimited, message), { status: 429 });
    }
    const keyId = request.headers.get(LIVE_KEY_HEADER) ?? '';
    // Nor can one key (a read-only one included) take them all and lock other consoles out.
    const ofKey = this.ctx
      .getWebSockets()
      .filter((ws) => (ws.deserializeAttachment() as LiveAttachment | null)?.keyId === keyId);
    if (ofKey.length >= MAX_LIVE_SOCKETS_PER_KEY) {
      const message = `At most ${MAX_LIVE_SOCKETS_PER_KEY} live view sockets per key on a pilot`;
      return Response.json(errorBody(ErrorCode.rateLimited, message), { status: 429 });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    const attachment: LiveAttachment = { keyId };
    pair[1].serializeAttachment(attachment);
    pair[1].send(JSON.stringify({ type: 'snapshot', items: this.live.list(200) }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /**
   * Subscribers only listen; their "ping" (which keeps intermediaries from closing an idle
   * socket) is answered by the auto-response and never reaches here. Anything else closes the
   * socket (1008): each message wakes this object, which also serves the frequency claims and
   * round robin of the pilot's conversations, so a socket streaming frames must not keep it busy.
   */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === 'ping') {
      ws.send('pong');
      return;
    }
    ws.close(1008, 'Live view sockets only listen: send "ping" and nothing else');
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }
}
