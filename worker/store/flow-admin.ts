/**
 * Admin-side flow storage beyond what the walking skeleton needed (worker/store/flows.ts):
 * listing, compare-and-swap draft writes, deletion, unpublishing and version reads.
 */
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import type { AppEnv } from '../env.ts';
import { type FlowRecord, type FlowRow, fromRow } from './flows.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export async function listFlows(
  env: AppEnv,
  workspaceId: string,
  pilotId: string | undefined,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<FlowRecord>> {
  const page = keyset(cursor, limit);
  const pilotSql = pilotId ? ' AND pilot_id = ?' : '';
  const { results } = await env.DB.prepare(
    `SELECT * FROM flows WHERE workspace_id = ?${pilotSql} AND ${page.where}${page.tail}`,
  )
    .bind(workspaceId, ...(pilotId ? [pilotId] : []), ...page.binds)
    .all<FlowRow>();
  return toPage(results, limit, (r) => ({ k: r.created_at, id: r.id }), fromRow);
}

/**
 * Replaces the draft only if it is still at `expectedRevision` (compare-and-swap in one
 * statement, so two racing writers cannot both win). Returns the new revision or null.
 */
export async function replaceDraft(
  env: AppEnv,
  flowId: string,
  draft: Flow,
  expectedRevision: number,
  now: number,
): Promise<number | null> {
  const result = await env.DB.prepare(
    `UPDATE flows SET draft = ?, revision = revision + 1, updated_at = ?
      WHERE id = ? AND revision = ?`,
  )
    .bind(JSON.stringify(draft), now, flowId, expectedRevision)
    .run();
  return result.meta.changes > 0 ? expectedRevision + 1 : null;
}

export async function deleteFlow(env: AppEnv, flowId: string): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM flow_versions WHERE flow_id = ?').bind(flowId),
    env.DB.prepare('DELETE FROM flows WHERE id = ?').bind(flowId),
  ]);
}

export async function setPublishedVersion(
  env: AppEnv,
  flowId: string,
  version: number | null,
  now: number,
): Promise<void> {
  await env.DB.prepare('UPDATE flows SET published_version = ?, updated_at = ? WHERE id = ?')
    .bind(version, now, flowId)
    .run();
}

export interface FlowVersion {
  flowId: string;
  version: number;
  note: string;
  publishedAt: number;
  publishedBy: string;
  definition: Flow;
}

interface VersionRow {
  flow_id: string;
  version: number;
  definition: string;
  note: string;
  published_at: number;
  published_by: string;
}

function versionFromRow(row: VersionRow): FlowVersion {
  return {
    flowId: row.flow_id,
    version: row.version,
    note: row.note,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    definition: flowSchema.parse(JSON.parse(row.definition)),
  };
}

/** Newest first. The cursor's key is the version number. */
export async function listVersions(
  env: AppEnv,
  flowId: string,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<FlowVersion>> {
  const page = keyset(cursor, limit, 'version', true);
  // flow_versions has no id column: alias flow_id so the keyset tie-breaker works.
  const { results } = await env.DB.prepare(
    `SELECT *, flow_id AS id FROM flow_versions WHERE flow_id = ? AND ${page.where}${page.tail}`,
  )
    .bind(flowId, ...page.binds)
    .all<VersionRow & { id: string }>();
  return toPage(results, limit, (r) => ({ k: r.version, id: r.id }), versionFromRow);
}

export async function getVersion(
  env: AppEnv,
  flowId: string,
  version: number,
): Promise<FlowVersion | null> {
  const row = await env.DB.prepare('SELECT * FROM flow_versions WHERE flow_id = ? AND version = ?')
    .bind(flowId, version)
    .first<VersionRow>();
  return row ? versionFromRow(row) : null;
}
