/**
 * Retention (pilot setting `retentionDays`, off by default): a scheduled run erases the
 * conversations of such pilots that have been idle longer than the limit, through the same
 * erasure job as a privacy request (so an interrupted run is resumed by the next one). Bounded
 * per run; what is left waits for the next run.
 */
import type { AppEnv } from '../env.ts';
import { runErasure } from './erasure-job.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Pilots with a retention limit looked at per run. */
export const RETENTION_PILOTS = 200;
/** Conversations erased per run, over all pilots (each is a few RPCs and a D1 batch). */
export const RETENTION_BATCH = 100;

interface PilotRow {
  id: string;
  workspace_id: string;
  days: number;
}

/** Erases idle conversations past their pilot's limit; returns how many were erased. */
export async function runRetention(env: AppEnv, now: number): Promise<number> {
  const { results: pilots } = await env.DB.prepare(
    `SELECT id, workspace_id, json_extract(settings, '$.retentionDays') AS days FROM pilots
     WHERE json_extract(settings, '$.retentionDays') > 0 ORDER BY id LIMIT ?`,
  )
    .bind(RETENTION_PILOTS)
    .all<PilotRow>();
  let erased = 0;
  for (const pilot of pilots) {
    if (erased >= RETENTION_BATCH) break;
    const cutoff = now - pilot.days * DAY_MS;
    const { results } = await env.DB.prepare(
      `SELECT id FROM conversations WHERE workspace_id = ? AND pilot_id = ? AND updated_at < ?
       ORDER BY updated_at LIMIT ?`,
    )
      .bind(pilot.workspace_id, pilot.id, cutoff, RETENTION_BATCH - erased)
      .all<{ id: string }>();
    for (const { id } of results) {
      await runErasure(env, pilot.workspace_id, { kind: 'conversation', id });
      erased++;
    }
  }
  return erased;
}
