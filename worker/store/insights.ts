/**
 * Flow insights read from the enrollment log (`enrollments`, `enrollment_steps`, written by the
 * events queue consumer): the counts behind `GET /flows/:flowId/insights` and its timeline.
 * Every query is one flow's, within `[from, to)` of trigger (or step) time, optionally one
 * version; a run still `waiting` whose last change is before `idleBefore` counts as dropped.
 */
import type { AppEnv } from '../env.ts';

export interface InsightRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  version: number | null;
  idleBefore: number;
}

/** The six aggregates of one flow's insights, in one D1 batch. Rows keep D1's shape. */
export async function flowInsightRows(
  env: AppEnv,
  workspaceId: string,
  flowId: string,
  range: InsightRange,
) {
  const { from: lo, to: hi, version: v, idleBefore } = range;
  const db = env.DB;
  const [totals, nodes, choices, edges, dropped, ratings] = await db.batch([
    db
      .prepare(
        `SELECT COUNT(*) AS triggered, COUNT(started_at) AS started,
           COALESCE(SUM(status = 'completed'), 0) AS completed,
           COALESCE(SUM(status = 'waiting' AND updated_at < ?), 0) AS dropped,
           COALESCE(SUM(handed_over), 0) AS handedOver,
           COALESCE(SUM(status = 'failed'), 0) AS failed,
           COALESCE(SUM(status = 'cancelled' AND handed_over = 0), 0) AS cancelled
         FROM enrollments WHERE workspace_id = ? AND flow_id = ? AND triggered_at >= ?
           AND triggered_at < ? AND (? IS NULL OR version = ?)`,
      )
      .bind(idleBefore, workspaceId, flowId, lo, hi, v, v),
    db
      .prepare(
        `SELECT node_id AS nodeId, node_type AS nodeType, COUNT(DISTINCT enrollment_id) AS entered,
           COALESCE(SUM(status = 'completed'), 0) AS completed,
           COALESCE(SUM(status = 'failed'), 0) AS failed
         FROM enrollment_steps WHERE flow_id = ? AND at >= ? AND at < ? AND (? IS NULL OR version = ?)
         GROUP BY node_id, node_type ORDER BY entered DESC, node_id`,
      )
      .bind(flowId, lo, hi, v, v),
    db
      .prepare(
        `SELECT node_id AS nodeId, choice, COUNT(*) AS count FROM enrollment_steps
         WHERE flow_id = ? AND choice IS NOT NULL AND at >= ? AND at < ? AND (? IS NULL OR version = ?)
         GROUP BY node_id, choice ORDER BY node_id, count DESC`,
      )
      .bind(flowId, lo, hi, v, v),
    db
      .prepare(
        `SELECT node_id AS nodeId, port, COUNT(DISTINCT enrollment_id) AS runs FROM enrollment_steps
         WHERE flow_id = ? AND port IS NOT NULL AND at >= ? AND at < ? AND (? IS NULL OR version = ?)
         GROUP BY node_id, port ORDER BY runs DESC, node_id, port`,
      )
      .bind(flowId, lo, hi, v, v),
    db
      .prepare(
        `SELECT node_id AS nodeId, COUNT(*) AS dropped FROM enrollments
         WHERE workspace_id = ? AND flow_id = ? AND status = 'waiting' AND updated_at < ?
           AND node_id IS NOT NULL AND triggered_at >= ? AND triggered_at < ? AND (? IS NULL OR version = ?)
         GROUP BY node_id`,
      )
      .bind(workspaceId, flowId, idleBefore, lo, hi, v, v),
    db
      .prepare(
        `SELECT node_id AS nodeId, version, COUNT(*) AS count, AVG(rating) AS average
         FROM enrollment_steps
         WHERE flow_id = ? AND rating IS NOT NULL AND at >= ? AND at < ? AND (? IS NULL OR version = ?)
         GROUP BY node_id, version ORDER BY node_id, version`,
      )
      .bind(flowId, lo, hi, v, v),
  ]);
  return { totals, nodes, choices, edges, dropped, ratings };
}

/**
 * The insights totals per bucket of `bucketMs` from `range.from` (a run counts in the bucket it
 * was triggered in). Only buckets with runs come back; the route fills in the zeros.
 */
export async function flowTimelineRows(
  env: AppEnv,
  workspaceId: string,
  flowId: string,
  range: InsightRange,
  bucketMs: number,
): Promise<{ index: number }[]> {
  const { from, to, version: v, idleBefore } = range;
  // D1 may bind a JS number as REAL: the cast keeps the bucket index a whole number.
  const rows = await env.DB.prepare(
    `SELECT CAST((triggered_at - ?) / ? AS INTEGER) AS "index", COUNT(*) AS triggered, COUNT(started_at) AS started,
       SUM(status = 'completed') AS completed,
       SUM(status = 'waiting' AND updated_at < ?) AS dropped,
       SUM(handed_over) AS handedOver, SUM(status = 'failed') AS failed
     FROM enrollments WHERE workspace_id = ? AND flow_id = ? AND triggered_at >= ?
       AND triggered_at < ? AND (? IS NULL OR version = ?)
     GROUP BY 1`,
  )
    .bind(from, bucketMs, idleBefore, workspaceId, flowId, from, to, v, v)
    .all<{ index: number }>();
  return rows.results;
}
