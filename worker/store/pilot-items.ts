/**
 * Pilot knowledge in D1 (table `pilot_items`): intents, entities, global pilot variables and
 * knowledge articles, one JSON document per row, always scoped by workspace and pilot.
 */
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export const PILOT_ITEM_KINDS = ['intent', 'entity', 'variable', 'knowledge'] as const;
export type PilotItemKind = (typeof PILOT_ITEM_KINDS)[number];

export interface PilotItem {
  id: string;
  pilotId: string;
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

interface ItemRow {
  id: string;
  pilot_id: string;
  data: string;
  created_at: number;
  updated_at: number;
}

const fromRow = (row: ItemRow): PilotItem => ({
  id: row.id,
  pilotId: row.pilot_id,
  data: JSON.parse(row.data) as Record<string, unknown>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface ItemScope {
  workspaceId: string;
  pilotId: string;
  kind: PilotItemKind;
}

export async function listItems(
  env: AppEnv,
  scope: ItemScope,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<PilotItem>> {
  const page = keyset(cursor, limit);
  const { results } = await env.DB.prepare(
    `SELECT * FROM pilot_items WHERE workspace_id = ? AND pilot_id = ? AND kind = ? AND ${page.where}${page.tail}`,
  )
    .bind(scope.workspaceId, scope.pilotId, scope.kind, ...page.binds)
    .all<ItemRow>();
  return toPage(results, limit, (r) => ({ k: r.created_at, id: r.id }), fromRow);
}

/** Every item of a kind (for rebuilding the pilot's AI and snapshot), oldest first. */
export async function allItems(
  env: AppEnv,
  pilotId: string,
  kind: PilotItemKind,
): Promise<PilotItem[]> {
  const { results } = await env.DB.prepare(
    'SELECT * FROM pilot_items WHERE pilot_id = ? AND kind = ? ORDER BY created_at, id',
  )
    .bind(pilotId, kind)
    .all<ItemRow>();
  return results.map(fromRow);
}

/** Characters stored for a kind of the pilot's items (their JSON), leaving out `exceptId`. */
export async function totalItemChars(
  env: AppEnv,
  scope: ItemScope,
  exceptId: string | null,
): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT COALESCE(SUM(length(data)), 0) AS n FROM pilot_items
      WHERE workspace_id = ? AND pilot_id = ? AND kind = ? AND id != ?`,
  )
    .bind(scope.workspaceId, scope.pilotId, scope.kind, exceptId ?? '')
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export async function getItem(
  env: AppEnv,
  scope: ItemScope,
  id: string,
): Promise<PilotItem | null> {
  const row = await env.DB.prepare(
    'SELECT * FROM pilot_items WHERE id = ? AND workspace_id = ? AND pilot_id = ? AND kind = ?',
  )
    .bind(id, scope.workspaceId, scope.pilotId, scope.kind)
    .first<ItemRow>();
  return row ? fromRow(row) : null;
}

/** Bounds a save must keep: items of the kind and characters of their JSON (store/pilot-limits.ts). */
export interface ItemLimits {
  maxItems?: number;
  maxChars?: number;
}

/** Why a save stored nothing: the pilot has `maxItems` of the kind, or `maxChars` would be passed. */
export type ItemRefusal = 'count' | 'chars';

/**
 * Stores a new item unless the pilot already has `maxItems` of its kind or its items' JSON
 * would pass `maxChars`: one statement, so concurrent creates cannot pass either total
 * together (D1 runs statements one at a time). Null when stored, else which total refused it.
 */
export async function insertItem(
  env: AppEnv,
  scope: ItemScope,
  item: PilotItem,
  name: string,
  limits: ItemLimits = {},
): Promise<ItemRefusal | null> {
  const data = JSON.stringify(item.data);
  const maxItems = limits.maxItems ?? Number.MAX_SAFE_INTEGER;
  const maxChars = limits.maxChars ?? Number.MAX_SAFE_INTEGER;
  const result = await env.DB.prepare(
    `INSERT INTO pilot_items (id, workspace_id, pilot_id, kind, name, data, created_at, updated_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ?
      WHERE (SELECT COUNT(*) FROM pilot_items WHERE workspace_id = ? AND pilot_id = ? AND kind = ?) < ?
        AND (SELECT COALESCE(SUM(length(data)), 0) FROM pilot_items
              WHERE workspace_id = ? AND pilot_id = ? AND kind = ?) + length(?) <= ?`,
  )
    .bind(
      item.id,
      scope.workspaceId,
      scope.pilotId,
      scope.kind,
      name,
      data,
      item.createdAt,
      item.updatedAt,
      scope.workspaceId,
      scope.pilotId,
      scope.kind,
      maxItems,
      scope.workspaceId,
      scope.pilotId,
      scope.kind,
      data,
      maxChars,
    )
    .run();
  if (result.meta.changes > 0) return null;
  // Nothing stored: say which total refused it (read after the fact, for the message only).
  return (await totalItemChars(env, scope, null)) + data.length > maxChars ? 'chars' : 'count';
}

/**
 * Replaces an item's data unless the kind's JSON, with the item's old data left out, would
 * pass `maxChars`: one statement, like insertItem. 'missing' when the item is gone, 'chars'
 * when refused, null when stored.
 */
export async function updateItem(
  env: AppEnv,
  scope: ItemScope,
  item: PilotItem,
  name: string,
  maxChars = Number.MAX_SAFE_INTEGER,
): Promise<'missing' | 'chars' | null> {
  const data = JSON.stringify(item.data);
  const result = await env.DB.prepare(
    `UPDATE pilot_items SET name = ?, data = ?, updated_at = ?
      WHERE id = ? AND workspace_id = ? AND pilot_id = ? AND kind = ?
        AND (SELECT COALESCE(SUM(length(data)), 0) FROM pilot_items
              WHERE workspace_id = ? AND pilot_id = ? AND kind = ? AND id != ?) + length(?) <= ?`,
  )
    .bind(
      name,
      data,
      item.updatedAt,
      item.id,
      scope.workspaceId,
      scope.pilotId,
      scope.kind,
      scope.workspaceId,
      scope.pilotId,
      scope.kind,
      item.id,
      data,
      maxChars,
    )
    .run();
  if (result.meta.changes > 0) return null;
  return (await getItem(env, scope, item.id)) ? 'chars' : 'missing';
}

export async function deleteItem(env: AppEnv, scope: ItemScope, id: string): Promise<boolean> {
  const result = await env.DB.prepare(
    'DELETE FROM pilot_items WHERE id = ? AND workspace_id = ? AND pilot_id = ? AND kind = ?',
  )
    .bind(id, scope.workspaceId, scope.pilotId, scope.kind)
    .run();
  return result.meta.changes > 0;
}

/** Global pilot variables as `name -> value` (`pilot.<name>` in flows). */
export async function pilotVariableValues(
  env: AppEnv,
  pilotId: string,
): Promise<Record<string, unknown>> {
  const items = await allItems(env, pilotId, 'variable');
  return Object.fromEntries(items.map((item) => [String(item.data.name), item.data.value ?? null]));
}
