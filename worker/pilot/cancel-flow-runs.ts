/**
 * Unpublishing a flow cancels its running runs (SPEC 3.6 rule 6) without deleting chats, in
 * bounded batches. Visitors decide how many conversations wait on a flow (100,000 is a busy
 * week), so the admin request cannot call each of them: it cancels one batch (the pilot's
 * object does, one RPC for the request) and the rest continues from the pilot object's alarm,
 * one batch per alarm. The job is a row in the object's SQLite with a cursor (conversation ids
 * in order), so an alarm retried after a failure (alarms are at-least-once) resumes where the
 * last finished batch left off, and cancelling a conversation twice changes nothing.
 *
 * Which conversations run the flow is known from the live view (this object's `live` table)
 * and the enrollment log (D1); both are fed by the events queue, so a run started a moment ago
 * may be missing from both — each ConversationObject also cancels an unpublished run itself the
 * next time it reads the pilot's snapshot. A flow published again stops its job: its runs are
 * live again, and the remaining old ones end the same way when they read the snapshot.
 */
import type { AppEnv } from '../env.ts';
import type { LiveStore } from '../live/live-store.ts';
import { isFlowPublished } from '../store/flows.ts';

/** Conversations cancelled per request or alarm: each is one Durable Object call. */
export const CANCEL_BATCH = 50;
/** Pause between two batches of the same pilot (its object also serves claims and the live view). */
export const CANCEL_BATCH_DELAY_MS = 1_000;

/** The batch size: `CANCEL_RUNS_BATCH` (1–500) when set (the tests use a small one), else 50. */
export function cancelBatchSize(env: Pick<AppEnv, 'CANCEL_RUNS_BATCH'>): number {
  const asked = Number(env.CANCEL_RUNS_BATCH);
  return Number.isInteger(asked) && asked >= 1 && asked <= 500 ? asked : CANCEL_BATCH;
}

/** What one batch did: runs cancelled now, and whether conversations are left for later. */
export interface CancelProgress {
  cancelled: number;
  pending: boolean;
}

type Job = {
  flow_id: string;
  reason: string;
  after: string;
  generation: number;
};

export class FlowRunCancels {
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: AppEnv,
    private readonly live: LiveStore,
  ) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS cancel_jobs (flow_id TEXT PRIMARY KEY, reason TEXT NOT NULL,
         after TEXT NOT NULL, generation INTEGER NOT NULL, started_at INTEGER NOT NULL)`,
    );
  }

  /** Starts (or restarts from the beginning) the flow's job and runs its first batch. */
  async start(flowId: string, reason: string, now: number): Promise<CancelProgress> {
    const job = this.sql
      .exec<Job>(
        `INSERT INTO cancel_jobs (flow_id, reason, after, generation, started_at) VALUES (?, ?, '', 1, ?)
         ON CONFLICT(flow_id) DO UPDATE SET reason = excluded.reason, after = '',
           generation = cancel_jobs.generation + 1, started_at = excluded.started_at
         RETURNING flow_id, reason, after, generation`,
        flowId,
        reason,
        now,
      )
      .one();
    return this.step(job);
  }

  /** One batch of the oldest job (the alarm's work); true while any job is left. */
  async continue(): Promise<boolean> {
    const job = this.sql
      .exec<Job>(
        'SELECT flow_id, reason, after, generation FROM cancel_jobs ORDER BY started_at, flow_id LIMIT 1',
      )
      .toArray()[0];
    if (job) await this.step(job);
    return this.pending();
  }

  pending(): boolean {
    return this.sql.exec('SELECT 1 FROM cancel_jobs LIMIT 1').toArray().length > 0;
  }

  private async step(job: Job): Promise<CancelProgress> {
    if (await isFlowPublished(this.env, job.flow_id)) {
      this.finish(job);
      return { cancelled: 0, pending: false };
    }
    const size = cancelBatchSize(this.env);
    const { ids, more } = await this.nextBatch(job, size);
    let cancelled = 0;
    for (const id of ids) if (await this.cancelOne(id, job)) cancelled++;
    const last = ids.at(-1);
    if (more && last !== undefined) {
      // Only the job as it was read moves on: a restart meanwhile (generation + 1) begins again.
      this.sql.exec(
        'UPDATE cancel_jobs SET after = ? WHERE flow_id = ? AND generation = ?',
        last,
        job.flow_id,
        job.generation,
      );
    } else this.finish(job);
    return { cancelled, pending: more };
  }

  private finish(job: Job): void {
    this.sql.exec(
      'DELETE FROM cancel_jobs WHERE flow_id = ? AND generation = ?',
      job.flow_id,
      job.generation,
    );
  }

  /**
   * The next `size` conversation ids after the cursor, from both sources merged in order. `more`
   * when either source may hold ids past them (a last empty batch then ends the job).
   */
  private async nextBatch(job: Job, size: number): Promise<{ ids: string[]; more: boolean }> {
    const live = this.live.runningFlowAfter(job.flow_id, job.after, size);
    const { results } = await this.env.DB.prepare(
      `SELECT DISTINCT conversation_id FROM enrollments
        WHERE flow_id = ? AND status = 'waiting' AND conversation_id > ?
        ORDER BY conversation_id LIMIT ?`,
    )
      .bind(job.flow_id, job.after, size)
      .all<{ conversation_id: string }>();
    const logged = results.map((row) => row.conversation_id);
    const merged = [...new Set([...live, ...logged])].sort();
    return {
      ids: merged.slice(0, size),
      more: merged.length > size || live.length === size || logged.length === size,
    };
  }

  /** One conversation; a failure is logged and skipped (the conversation ends the run itself). */
  private async cancelOne(conversationId: string, job: Job): Promise<boolean> {
    try {
      const stub = this.env.CONVERSATION.get(this.env.CONVERSATION.idFromName(conversationId));
      return await stub.cancelRuns({ flowId: job.flow_id }, job.reason);
    } catch (error) {
      console.error(
        JSON.stringify({
          event: 'cancel_run_failed',
          flowId: job.flow_id,
          conversationId,
          error: String(error),
        }),
      );
      return false;
    }
  }
}
