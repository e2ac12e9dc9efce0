import { type PilotSettings, pilotSettingsSchema } from '../../shared/pilot.ts';
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export interface PilotRecord {
  id: string;
  workspaceId: string;
  publicKey: string;
  name: string;
  settings: PilotSettings;
  createdAt: number;
  updatedAt: number;
}

interface PilotRow {
  id: string;
  workspace_id: string;
  public_key: string;
  name: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

function fromRow(row: PilotRow): PilotRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    publicKey: row.public_key,
    name: row.name,
    settings: pilotSettingsSchema.parse(JSON.parse(row.settings)),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getPilotById(env: AppEnv, id: string): Promise<PilotRecord | null> {
  const row = await env.DB.prepare('SELECT * FROM pilots WHERE id = ?').bind(id).first<PilotRow>();
  return row ? fromRow(row) : null;
}

/** A pilot of `workspaceId` only: other workspaces' pilots are invisible (null). */
export async function getWorkspacePilot(
  env: AppEnv,
  workspaceId: string,
  id: string,
): Promise<PilotRecord | null> {
  const row = await env.DB.prepare('SELECT * FROM pilots WHERE id = ? AND workspace_id = ?')
    .bind(id, workspaceId)
    .first<PilotRow>();
  return row ? fromRow(row) : null;
}

export async function insertPilot(env: AppEnv, pilot: PilotRecord): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO pilots (id, workspace_id, public_key, name, settings, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  )
    .bind(
      pilot.id,
      pilot.workspaceId,
      pilot.publicKey,
      pilot.name,
      JSON.stringify(pilot.settings),
      pilot.createdAt,
      pilot.updatedAt,
    )
    .run();
}

export async function ensureWorkspace(
  env: AppEnv,
  id: string,
  name: string,
  now: number,
): Promise<void> {
  await env.DB.prepare(
    'INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING',
  )
    .bind(id, name, now)
    .run();
}

export async function listWorkspacePilots(
  env: AppEnv,
  workspaceId: string,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<PilotRecord>> {
  const page = keyset(cursor, limit);
  const { results } = await env.DB.prepare(
    `SELECT * FROM pilots WHERE workspace_id = ? AND ${page.where}${page.tail}`,
  )
    .bind(workspaceId, ...page.binds)
    .all<PilotRow>();
  return toPage(results, limit, (r) => ({ k: r.created_at, id: r.id }), fromRow);
}

/** Writes name and settings; `identitySecret` undefined keeps the stored one, null clears it. */
export async function updatePilot(
  env: AppEnv,
  pilot: PilotRecord,
  identitySecret: string | null | undefined,
): Promise<void> {
  const secretSql = identitySecret === undefined ? '' : ', identity_secret = ?';
  const binds: (string | number | null)[] = [pilot.name, JSON.stringify(pilot.settings)];
  if (identitySecret !== undefined) binds.push(identitySecret);
  await env.DB.prepare(
    `UPDATE pilots SET name = ?, settings = ?${secretSql}, updated_at = ? WHERE id = ? AND workspace_id = ?`,
  )
    .bind(...binds, pilot.updatedAt, pilot.id, pilot.workspaceId)
    .run();
}

export async function setIdentitySecret(
  env: AppEnv,
  pilotId: string,
  secret: string | null,
): Promise<void> {
  await env.DB.prepare('UPDATE pilots SET identity_secret = ? WHERE id = ?')
    .bind(secret, pilotId)
    .run();
}

/** The pilot's identity secret: server-side only (snapshots), never in a response. */
export async function getIdentitySecret(env: AppEnv, pilotId: string): Promise<string | null> {
  const row = await env.DB.prepare('SELECT identity_secret FROM pilots WHERE id = ?')
    .bind(pilotId)
    .first<{ identity_secret: string | null }>();
  return row?.identity_secret ?? null;
}

/**
 * Deletes a pilot and everything hanging off it (flows, versions, knowledge), atomically.
 * Enrollment logs and conversations stay for audit; they no longer resolve to a pilot.
 */
export async function deletePilot(env: AppEnv, workspaceId: string, id: string): Promise<boolean> {
  const owned = await getWorkspacePilot(env, workspaceId, id);
  if (!owned) return false;
  await env.DB.batch([
    env.DB.prepare(
      'DELETE FROM flow_versions WHERE flow_id IN (SELECT id FROM flows WHERE pilot_id = ?)',
    ).bind(id),
    env.DB.prepare('DELETE FROM flows WHERE pilot_id = ?').bind(id),
    env.DB.prepare('DELETE FROM pilot_items WHERE pilot_id = ?').bind(id),
    env.DB.prepare('DELETE FROM pilots WHERE id = ? AND workspace_id = ?').bind(id, workspaceId),
  ]);
  return true;
}
