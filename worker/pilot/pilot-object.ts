/**
 * One Durable Object per pilot: the place for state that spans conversations of a pilot and
 * must be exact (`frequency: once` and cooldown claims) and the live view (active
 * conversations, streamed to admin WebSocket subscribers). Off the message hot path: claims
 * are asked only when a flow with such a setting is about to start, live updates arrive from
 * the queue consumer in batches.
 */
import { DurableObject } from 'cloudflare:workers';
import { nextInTurn } from '../effects/round-robin.ts';
import type { AppEnv } from '../env.ts';
import { type LiveConversation, LiveStore } from '../live/live-store.ts';

export class PilotObject extends DurableObject<AppEnv> {
  private readonly live: LiveStore;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS claims (flow_id TEXT NOT NULL, subject TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (flow_id, subject))',
    );
    ctx.storage.sql.exec(
      'CREATE TABLE IF NOT EXISTS rotation (pool TEXT PRIMARY KEY, user_id TEXT NOT NULL)',
    );
    this.live = new LiveStore(ctx.storage.sql);
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
    const changed = this.live.apply(rows);
    if (changed.length === 0) return;
    const frame = JSON.stringify({ type: 'changes', items: changed });
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
   * claims of `subjects` (`visitor:…`, `contact:…`); a later visit starts as a new visitor.
   * Subscribers get a `removed` frame. Idempotent; returns how many rows went.
   */
  async forget(
    conversationIds: string[],
    subjects: string[],
  ): Promise<{ liveRows: number; claims: number }> {
    const liveRows = this.live.remove(conversationIds);
    let claims = 0;
    for (const subject of subjects)
      claims += this.ctx.storage.sql.exec(
        'DELETE FROM claims WHERE subject = ?',
        subject,
      ).rowsWritten;
    if (liveRows > 0) {
      const frame = JSON.stringify({ type: 'removed', conversationIds });
      for (const ws of this.ctx.getWebSockets()) {
        try {
          ws.send(frame);
        } catch {
          // A closed subscriber; it re-reads the list when it reconnects.
        }
      }
    }
    return { liveRows, claims };
  }

  /** Active conversations (open, or with a run), most recent first. */
  async liveList(limit: number): Promise<LiveConversation[]> {
    return this.live.list(limit);
  }

  /** Conversations whose active run is on `flowId` (unpublish cancels them). */
  async conversationsRunning(flowId: string): Promise<string[]> {
    return this.live.runningFlow(flowId);
  }

  /** `GET /v1/admin/live/socket`: the Worker has checked the admin key. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].send(JSON.stringify({ type: 'snapshot', items: this.live.list(200) }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Subscribers only listen; "ping" keeps intermediaries from closing an idle socket.
    if (message === 'ping') ws.send('pong');
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }
}
