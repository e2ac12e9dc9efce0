import { type PilotSettings, pilotSettingsSchema } from '../../shared/pilot.ts';
import type { AppEnv } from '../env.ts';

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
