/** Admin API keys in D1: only the SHA-256 of a key is stored; the key is shown once. */
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: number;
  revokedAt: number | null;
}

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  key_prefix: string;
  scopes: string;
  created_at: number;
  revoked_at: number | null;
}

const scopesSchema = z.array(z.enum(SCOPES));

function fromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.key_prefix,
    scopes: scopesSchema.parse(JSON.parse(row.scopes)),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** The live (not revoked) key with this hash, or null. */
export async function findKeyByHash(env: AppEnv, keyHash: string): Promise<ApiKeyRecord | null> {
  const row = await env.DB.prepare(
    'SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
  )
    .bind(keyHash)
    .first<ApiKeyRow>();
  return row ? fromRow(row) : null;
}

/**
 * Live keys one workspace may hold. Each key has its own rate-limit budget, so without a cap a
 * key holder could mint keys to multiply it (and rows without end).
 */
export const MAX_LIVE_KEYS = 100;

/** Stores a new key; false (nothing stored) when the workspace already holds MAX_LIVE_KEYS. */
export async function insertKey(
  env: AppEnv,
  key: Omit<ApiKeyRecord, 'revokedAt'>,
  keyHash: string,
): Promise<boolean> {
  // One statement, so two creations at once cannot both take the last place.
  const result = await env.DB.prepare(
    `INSERT INTO api_keys (id, workspace_id, name, key_hash, key_prefix, scopes, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?
      WHERE (SELECT COUNT(*) FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL) < ?`,
  )
    .bind(
      key.id,
      key.workspaceId,
      key.name,
      keyHash,
      key.prefix,
      JSON.stringify(key.scopes),
      key.createdAt,
      key.workspaceId,
      MAX_LIVE_KEYS,
    )
    .run();
  return result.meta.changes > 0;
}

export async function listKeys(
  env: AppEnv,
  workspaceId: string,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<ApiKeyRecord>> {
  const page = keyset(cursor, limit);
  const { results } = await env.DB.prepare(
    `SELECT * FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL AND ${page.where}${page.tail}`,
  )
    .bind(workspaceId, ...page.binds)
    .all<ApiKeyRow>();
  return toPage(results, limit, (r) => ({ k: r.created_at, id: r.id }), fromRow);
}

/** Revokes a live key of the workspace; false when there is none. */
export async function revokeKey(
  env: AppEnv,
  workspaceId: string,
  id: string,
  now: number,
): Promise<boolean> {
  const result = await env.DB.prepare(
    'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL',
  )
    .bind(now, id, workspaceId)
    .run();
  return result.meta.changes > 0;
}

/** The live (not revoked) key `id` of the workspace, or null (a revoked key's tickets die too). */
export async function findLiveKey(
  env: AppEnv,
  workspaceId: string,
  id: string,
): Promise<ApiKeyRecord | null> {
  const row = await env.DB.prepare(
    'SELECT * FROM api_keys WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL',
  )
    .bind(id, workspaceId)
    .first<ApiKeyRow>();
  return row ? fromRow(row) : null;
}
