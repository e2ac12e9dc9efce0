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
import { settlePool } from './settle-pool.ts';

/** Conversations cancelled per request or alarm: each is one Durable Object call. */
export const CANCEL_BATCH = 50;
/** Pause between two batches of the same pilot (its object also serves claims and the live view). */
export const CANCEL_BATCH_DELAY_MS = 1_000;

/**
 * Conversations of a batch cancelled at once. Each call waits for that conversation's turn
 * chain (a slow AI answer), so one after another the visitors would decide how long a batch,
 * and the admin's unpublish request, takes.
 */
export const CANCEL_CONCURRENCY = 10;
/**
 * Longest the unpublish request waits for one conversation. One that takes longer is left to
 * the alarm: the request's batch then keeps the job's cursor where it was, so the alarm (which
 * waits without a timeout) cancels that batch again (cancelling twice changes nothing).
 */
export const CANCEL_CALL_TIMEOUT_MS = 5_000;
/** Alarms a failing job is retried for (with backoff) before it is dropped and logged. */
export const MAX_JOB_FAILURES = 8;
/** Longest pause before retrying a failing job. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** The pause before the next alarm after `failures` failures in a row of the job it ran. */
export function retryDelay(failures: number): number {
  if (failures <= 0) return CANCEL_BATCH_DELAY_MS;
  return Math.min(MAX_RETRY_DELAY_MS, CANCEL_BATCH_DELAY_MS * 2 ** failures);
}

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
  failures: number;
};

const JOB_COLUMNS = 'flow_id, reason, after, generation, failures';

export class FlowRunCancels {
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: AppEnv,
    private readonly live: LiveStore,
  ) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS cancel_jobs (flow_id TEXT PRIMARY KEY, reason TEXT NOT NULL,
         after TEXT NOT NULL, generation INTEGER NOT NULL, started_at INTEGER NOT NULL,
         failures INTEGER NOT NULL DEFAULT 0)`,
    );
    // Objects created before `failures` existed (their table lacks it).
    const columns = sql.exec<{ name: string }>('PRAGMA table_info(cancel_jobs)').toArray();
    if (!columns.some((c) => c.name === 'failures'))
      sql.exec('ALTER TABLE cancel_jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0');
  }

  /**
   * Starts (or restarts from the beginning) the flow's job: only the row. The caller sets the
   * alarm before running the first batch, so a batch that throws still leaves the job running.
   */
  begin(flowId: string, reason: string, now: number): Job {
    return this.sql
      .exec<Job>(
        `INSERT INTO cancel_jobs (flow_id, reason, after, generation, started_at, failures)
           VALUES (?, ?, '', 1, ?, 0)
         ON CONFLICT(flow_id) DO UPDATE SET reason = excluded.reason, after = '',
           generation = cancel_jobs.generation + 1, started_at = excluded.started_at, failures = 0
         RETURNING ${JOB_COLUMNS}`,
        flowId,
        reason,
        now,
      )
      .one();
  }

  /** The request's batch of a job just begun: each conversation waited for at most a timeout. */
  first(job: Job): Promise<CancelProgress> {
    return this.step(job, CANCEL_CALL_TIMEOUT_MS);
  }

  /**
   * One batch of the oldest job (the alarm's work). A batch that throws is logged, not thrown
   * (a thrown alarm only burns the platform's few retries): the job counts a failure and moves
   * behind the other jobs, so it cannot block them, and is dropped after MAX_JOB_FAILURES (its
   * conversations still end the run themselves when they read the snapshot). Answers whether
   * any job is left and when to run the next alarm.
   */
  async continue(now: number): Promise<{ pending: boolean; delayMs: number }> {
    const job = this.sql
      .exec<Job>(`SELECT ${JOB_COLUMNS} FROM cancel_jobs ORDER BY started_at, flow_id LIMIT 1`)
      .toArray()[0];
    let delayMs = CANCEL_BATCH_DELAY_MS;
    if (job) {
      try {
        await this.step(job);
      } catch (error) {
        delayMs = this.failed(job, error, now);
      }
    }
    return { pending: this.pending(), delayMs };
  }

  pending(): boolean {
    return this.sql.exec('SELECT 1 FROM cancel_jobs LIMIT 1').toArray().length > 0;
  }

  private failed(job: Job, error: unknown, now: number): number {
    const failures = job.failures + 1;
    const dropped = failures >= MAX_JOB_FAILURES;
    console.error(
      JSON.stringify({
        event: dropped ? 'cancel_job_dropped' : 'cancel_job_failed',
        flowId: job.flow_id,
        failures,
        error: String(error),
      }),
    );
    if (dropped) {
      this.finish(job);
      return CANCEL_BATCH_DELAY_MS;
    }
    // To the back of the queue (started_at orders the jobs), for this generation only.
    this.sql.exec(
      'UPDATE cancel_jobs SET failures = ?, started_at = ? WHERE flow_id = ? AND generation = ?',
      failures,
      now,
      job.flow_id,
      job.generation,
    );
    return retryDelay(failures);
  }

  private async step(job: Job, timeoutMs?: number): Promise<CancelProgress> {
    if (await isFlowPublished(this.env, job.flow_id)) {
      this.finish(job);
      return { cancelled: 0, pending: false };
    }
    const size = cancelBatchSize(this.env);
    const { ids, more } = await this.nextBatch(job, size);
    const outcomes = await settlePool(
      ids,
      CANCEL_CONCURRENCY,
      (id) => this.cancelOne(id, job),
      timeoutMs,
    );
    const cancelled = outcomes.filter((o) => o.ok && o.value).length;
    if (outcomes.some((o) => !o.ok && o.timedOut)) {
      // Some conversation did not answer in time: the cursor stays, the alarm redoes the batch.
      return { cancelled, pending: true };
    }
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
    // A batch that succeeds resets the job's failures.
    if (job.failures > 0)
      this.sql.exec(
        'UPDATE cancel_jobs SET failures = 0 WHERE flow_id = ? AND generation = ?',
        job.flow_id,
        job.generation,
      );
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
