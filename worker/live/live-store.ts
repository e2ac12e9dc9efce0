/**
 * The live view's table inside the PilotObject: one row per conversation with what an admin
 * watching the site wants to see (visitor, page, flow, node, waiting since, last message).
 */
import { z } from 'zod';
import type { ConversationEvent } from '../queue/events.ts';

export const liveConversationSchema = z.object({
  conversationId: z.string(),
  visitorId: z.string(),
  userId: z.string().nullable(),
  status: z.string(),
  mode: z.string(),
  pageUrl: z.string().nullable(),
  flowId: z.string().nullable(),
  runId: z.string().nullable(),
  nodeId: z.string().nullable(),
  waitingSince: z.number().nullable(),
  lastMessage: z.string().nullable(),
  lastMessageAt: z.number().nullable(),
  updatedAt: z.number(),
  seq: z.number(),
});
export type LiveConversation = z.infer<typeof liveConversationSchema>;

/** The live view's row of a conversation event (the direct push and the queue build the same). */
export function liveRow(e: ConversationEvent): LiveConversation {
  return {
    conversationId: e.conversationId,
    visitorId: e.visitorId,
    userId: e.userId,
    status: e.status,
    mode: e.mode,
    pageUrl: e.pageUrl,
    flowId: e.run?.flowId ?? null,
    runId: e.run?.runId ?? null,
    nodeId: e.run?.nodeId ?? null,
    waitingSince: e.run?.waitingSince ?? null,
    lastMessage: e.lastMessage,
    lastMessageAt: e.lastMessageAt,
    updatedAt: e.at,
    seq: e.seq,
  };
}

/** Conversations idle longer than this drop out of the live list. */
export const LIVE_IDLE_MS = 30 * 60 * 1000;
/**
 * Rows kept at most (the most recently updated): every new conversation adds one, and the list
 * shows 200, so without a cap the pilot object's storage grows with every session anyone opens
 * (a visitor needs only the public key) until its writes (claims, tickets, unanswered questions)
 * fail. Unpublish also finds running conversations through D1's waiting enrollments.
 */
export const MAX_LIVE_ROWS = 5_000;
/** Pruning (idle rows, then the cap) runs after this many row writes, or this long, whichever first. */
export const LIVE_PRUNE_EVERY_WRITES = 500;
export const LIVE_PRUNE_EVERY_MS = 60_000;
/**
 * How long an erased conversation's tombstone refuses rows made before the erasure: a push is
 * in flight for at most a few seconds (queue copies are dropped by the consumer's own check).
 */
export const ERASED_TOMBSTONE_MS = 10 * 60 * 1000;

export class LiveStore {
  /** Row writes since the last prune, and when it ran (0: not yet in this object's life). */
  private writesSincePrune = 0;
  private prunedAt = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS live (
      conversation_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, flow_id TEXT,
      updated_at INTEGER NOT NULL, body TEXT NOT NULL)`);
    sql.exec('CREATE INDEX IF NOT EXISTS live_recent ON live(updated_at)');
    sql.exec('CREATE INDEX IF NOT EXISTS live_flow ON live(flow_id)');
    sql.exec(`CREATE TABLE IF NOT EXISTS live_erased (
      conversation_hash TEXT PRIMARY KEY, erased_at INTEGER NOT NULL)`);
  }

  /**
   * Upserts rows newer (by `seq`) than what is stored, so an older update never overwrites a
   * newer one; returns the rows that changed. A conversation's row arrives twice: pushed right
   * after its turn, then through the queue with a newer `seq` (same counter). The second is sent
   * to subscribers too, on purpose: it comes after the D1 list was written, and the inbox
   * re-reads that list when a frame arrives (the console merges rows by `seq`, so the live view
   * shows nothing twice).
   */
  apply(rows: LiveConversation[], now = Date.now()): LiveConversation[] {
    const changed: LiveConversation[] = [];
    for (const row of rows) {
      // Already idle (a late queue copy): never listed, so not stored either.
      if (row.updatedAt < now - LIVE_IDLE_MS) continue;
      const cursor = this.sql.exec(
        `INSERT INTO live (conversation_id, seq, flow_id, updated_at, body) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(conversation_id) DO UPDATE SET seq = excluded.seq, flow_id = excluded.flow_id,
           updated_at = excluded.updated_at, body = excluded.body
         WHERE excluded.seq > live.seq`,
        row.conversationId,
        row.seq,
        row.flowId,
        row.updatedAt,
        JSON.stringify(row),
      );
      if (cursor.rowsWritten > 0) changed.push(row);
    }
    this.writesSincePrune += changed.length;
    if (
      this.writesSincePrune >= LIVE_PRUNE_EVERY_WRITES ||
      now - this.prunedAt >= LIVE_PRUNE_EVERY_MS
    )
      this.prune(now);
    return changed;
  }

  /**
   * Drops rows idle past LIVE_IDLE_MS (never listed again) and all but the MAX_LIVE_ROWS most
   * recent; both walk the `updated_at` index. After any `apply`, the table holds fewer than
   * MAX_LIVE_ROWS + LIVE_PRUNE_EVERY_WRITES rows.
   */
  private prune(now: number): void {
    this.writesSincePrune = 0;
    this.prunedAt = now;
    this.sql.exec('DELETE FROM live WHERE updated_at < ?', now - LIVE_IDLE_MS);
    this.sql.exec(
      `DELETE FROM live WHERE updated_at <= (
         SELECT updated_at FROM live ORDER BY updated_at DESC LIMIT 1 OFFSET ?)`,
      MAX_LIVE_ROWS,
    );
  }

  /**
   * Deletes the rows of these conversations (privacy erasure) and leaves a short-lived
   * tombstone (the SHA-256 of the id and the time: nothing that names anyone), so a row pushed
   * before the erasure and arriving after it does not bring the conversation back; returns
   * how many rows went. `hashes[i]` is the hash of `conversationIds[i]`.
   */
  remove(conversationIds: string[], hashes: string[], now = Date.now()): number {
    let removed = 0;
    this.sql.exec('DELETE FROM live_erased WHERE erased_at < ?', now - ERASED_TOMBSTONE_MS);
    conversationIds.forEach((id, i) => {
      removed += this.sql.exec('DELETE FROM live WHERE conversation_id = ?', id).rowsWritten;
      this.sql.exec(
        `INSERT INTO live_erased (conversation_hash, erased_at) VALUES (?, ?)
         ON CONFLICT(conversation_hash) DO UPDATE SET erased_at = excluded.erased_at`,
        hashes[i],
        now,
      );
    });
    return removed;
  }

  /** Whether any erasure is recent enough to be checked (most of the time: none). */
  hasTombstones(now = Date.now()): boolean {
    return (
      this.sql
        .exec('SELECT 1 FROM live_erased WHERE erased_at >= ? LIMIT 1', now - ERASED_TOMBSTONE_MS)
        .toArray().length > 0
    );
  }

  /** When the conversation with this id hash was erased, if recently. */
  erasedAt(hash: string): number | null {
    const row = this.sql
      .exec<{ erased_at: number }>(
        'SELECT erased_at FROM live_erased WHERE conversation_hash = ?',
        hash,
      )
      .toArray()[0];
    return row ? row.erased_at : null;
  }

  list(limit: number, now = Date.now()): LiveConversation[] {
    return this.sql
      .exec<{ body: string }>(
        'SELECT body FROM live WHERE updated_at >= ? ORDER BY updated_at DESC LIMIT ?',
        now - LIVE_IDLE_MS,
        limit,
      )
      .toArray()
      .map((row) => JSON.parse(row.body) as LiveConversation)
      .filter((row) => row.status === 'open' || row.runId !== null);
  }

  /** Conversations whose active run is on `flowId`, after `after` in id order, at most `limit`. */
  runningFlowAfter(flowId: string, after: string, limit: number): string[] {
    return this.sql
      .exec<{ conversation_id: string }>(
        'SELECT conversation_id FROM live WHERE flow_id = ? AND conversation_id > ? ORDER BY conversation_id LIMIT ?',
        flowId,
        after,
        limit,
      )
      .toArray()
      .map((row) => row.conversation_id);
  }
}
