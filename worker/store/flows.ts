import type { PublishedFlow } from '../../shared/flow/match.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import type { AppEnv } from '../env.ts';

export interface FlowRecord {
  id: string;
  workspaceId: string;
  pilotId: string;
  draft: Flow;
  revision: number;
  publishedVersion: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface FlowRow {
  id: string;
  workspace_id: string;
  pilot_id: string;
  draft: string;
  revision: number;
  published_version: number | null;
  created_at: number;
  updated_at: number;
}

/** A `flows` row as the API sees it (the draft parsed with the flow schema). */
export function fromRow(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    pilotId: row.pilot_id,
    draft: flowSchema.parse(JSON.parse(row.draft)),
    revision: row.revision,
    publishedVersion: row.published_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getWorkspaceFlow(
  env: AppEnv,
  workspaceId: string,
  id: string,
): Promise<FlowRecord | null> {
  const row = await env.DB.prepare('SELECT * FROM flows WHERE id = ? AND workspace_id = ?')
    .bind(id, workspaceId)
    .first<FlowRow>();
  return row ? fromRow(row) : null;
}

/**
 * Stores a new flow unless its pilot already has `maxPerPilot`: one statement, so concurrent
 * creates cannot pass the count together. False when the pilot is full.
 */
export async function insertFlow(
  env: AppEnv,
  flow: FlowRecord,
  maxPerPilot = Number.MAX_SAFE_INTEGER,
): Promise<boolean> {
  const result = await env.DB.prepare(
    `INSERT INTO flows (id, workspace_id, pilot_id, draft, revision, published_version, created_at, updated_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?
      WHERE (SELECT COUNT(*) FROM flows WHERE workspace_id = ? AND pilot_id = ?) < ?
     ON CONFLICT(id) DO NOTHING`,
  )
    .bind(
      flow.id,
      flow.workspaceId,
      flow.pilotId,
      JSON.stringify(flow.draft),
      flow.revision,
      flow.publishedVersion,
      flow.createdAt,
      flow.updatedAt,
      flow.workspaceId,
      flow.pilotId,
      maxPerPilot,
    )
    .run();
  return result.meta.changes > 0;
}

/** Characters of the pilot's published flow JSON (its snapshot's flows), leaving out `exceptFlowId`. */
export async function publishedFlowChars(
  env: AppEnv,
  pilotId: string,
  exceptFlowId: string,
): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT COALESCE(SUM(length(v.definition)), 0) AS n
       FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
      WHERE f.pilot_id = ? AND f.id != ?`,
  )
    .bind(pilotId, exceptFlowId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Publishes the draft as the next immutable version. One D1 batch (atomic): the version row
 * and the flow's pointer move together; the version number comes from the table itself.
 * The version row is stored only if the pilot's other published flows and this draft stay
 * within `maxPublishedChars` (checked inside the insert, so parallel publishes of a pilot's
 * flows cannot pass the total together), and the pointer moves only if the row was stored.
 * Null when refused.
 */
export async function publishDraft(
  env: AppEnv,
  flow: FlowRecord,
  note: string,
  publishedBy: string,
  now: number,
  maxPublishedChars = Number.MAX_SAFE_INTEGER,
): Promise<number | null> {
  const last = await env.DB.prepare('SELECT MAX(version) AS v FROM flow_versions WHERE flow_id = ?')
    .bind(flow.id)
    .first<{ v: number | null }>();
  const version = (last?.v ?? 0) + 1;
  const definition = JSON.stringify(flow.draft);
  const [inserted] = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO flow_versions (flow_id, version, definition, note, published_at, published_by)
       SELECT ?, ?, ?, ?, ?, ?
        WHERE (SELECT COALESCE(SUM(length(v.definition)), 0)
                 FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
                WHERE f.pilot_id = ? AND f.id != ?) + length(?) <= ?`,
    ).bind(
      flow.id,
      version,
      definition,
      note,
      now,
      publishedBy,
      flow.pilotId,
      flow.id,
      definition,
      maxPublishedChars,
    ),
    env.DB.prepare(
      `UPDATE flows SET published_version = ?, updated_at = ?
        WHERE id = ? AND EXISTS (SELECT 1 FROM flow_versions WHERE flow_id = ? AND version = ?)`,
    ).bind(version, now, flow.id, flow.id, version),
  ]);
  return (inserted?.meta.changes ?? 0) > 0 ? version : null;
}

/** Every published flow of a pilot at its current version. */
export async function listPublishedFlows(env: AppEnv, pilotId: string): Promise<PublishedFlow[]> {
  const { results } = await env.DB.prepare(
    `SELECT f.id AS flow_id, v.version AS version, v.definition AS definition
       FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
      WHERE f.pilot_id = ? ORDER BY f.id`,
  )
    .bind(pilotId)
    .all<{ flow_id: string; version: number; definition: string }>();
  return results.map((row) => ({
    flowId: row.flow_id,
    version: row.version,
    flow: flowSchema.parse(JSON.parse(row.definition)),
  }));
}

/**
 * Whether `flowId` is published right now, read from D1 (the source of truth: the KV snapshot
 * is eventually consistent and conversations cache it). A deleted flow is not published.
 */
export async function isFlowPublished(env: AppEnv, flowId: string): Promise<boolean> {
  const row = await env.DB.prepare('SELECT published_version FROM flows WHERE id = ?')
    .bind(flowId)
    .first<{ published_version: number | null }>();
  return row?.published_version != null;
}
