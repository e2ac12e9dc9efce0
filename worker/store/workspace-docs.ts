/**
 * Workspace-scoped JSON documents with a few indexed columns: contacts, users and teams
 * (tables in migrations/0002_admin.sql). The indexed columns carry the unique constraints.
 */
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export interface DocTable {
  table: 'contacts' | 'users' | 'teams' | 'companies';
  /** Indexed columns and how to derive each from the document. */
  columns: Record<string, (data: Record<string, unknown>) => string | null>;
  /** Columns `?q=` searches (substring, case-insensitive). */
  searchable: string[];
}

export interface WorkspaceDoc {
  id: string;
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

interface DocRow {
  id: string;
  data: string;
  created_at: number;
  updated_at: number;
}

const fromRow = (row: DocRow): WorkspaceDoc => ({
  id: row.id,
  data: JSON.parse(row.data) as Record<string, unknown>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function listDocs(
  env: AppEnv,
  t: DocTable,
  workspaceId: string,
  options: { limit: number; cursor: Cursor | null; q?: string },
): Promise<Page<WorkspaceDoc>> {
  const page = keyset(options.cursor, options.limit);
  const binds: (string | number)[] = [workspaceId];
  let search = '';
  if (options.q) {
    search = ` AND (${t.searchable.map((c) => `instr(lower(coalesce(${c}, '')), ?) > 0`).join(' OR ')})`;
    for (const _ of t.searchable) binds.push(options.q.toLowerCase());
  }
  const { results } = await env.DB.prepare(
    `SELECT id, data, created_at, updated_at FROM ${t.table} WHERE workspace_id = ?${search} AND ${page.where}${page.tail}`,
  )
    .bind(...binds, ...page.binds)
    .all<DocRow>();
  return toPage(results, options.limit, (r) => ({ k: r.created_at, id: r.id }), fromRow);
}

export async function getDoc(
  env: AppEnv,
  t: DocTable,
  workspaceId: string,
  id: string,
): Promise<WorkspaceDoc | null> {
  const row = await env.DB.prepare(
    `SELECT id, data, created_at, updated_at FROM ${t.table} WHERE id = ? AND workspace_id = ?`,
  )
    .bind(id, workspaceId)
    .first<DocRow>();
  return row ? fromRow(row) : null;
}

/** Ids among `ids` that exist in the workspace. */
export async function existingIds(
  env: AppEnv,
  t: DocTable,
  workspaceId: string,
  ids: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { results } = await env.DB.prepare(
    `SELECT id FROM ${t.table} WHERE workspace_id = ? AND id IN (SELECT value FROM json_each(?))`,
  )
    .bind(workspaceId, JSON.stringify(ids))
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}

export async function insertDoc(
  env: AppEnv,
  t: DocTable,
  workspaceId: string,
  doc: WorkspaceDoc,
): Promise<void> {
  const names = Object.keys(t.columns);
  const values = names.map((n) => t.columns[n]?.(doc.data) ?? null);
  await env.DB.prepare(
    `INSERT INTO ${t.table} (id, workspace_id, ${names.join(', ')}, data, created_at, updated_at)
     VALUES (?, ?, ${names.map(() => '?').join(', ')}, ?, ?, ?)`,
  )
    .bind(doc.id, workspaceId, ...values, JSON.stringify(doc.data), doc.createdAt, doc.updatedAt)
    .run();
}

export async function updateDoc(
  env: AppEnv,
  t: DocTable,
  workspaceId: string,
  doc: WorkspaceDoc,
): Promise<void> {
  const names = Object.keys(t.columns);
  const values = names.map((n) => t.columns[n]?.(doc.data) ?? null);
  await env.DB.prepare(
    `UPDATE ${t.table} SET ${names.map((n) => `${n} = ?`).join(', ')}, data = ?, updated_at = ?
      WHERE id = ? AND workspace_id = ?`,
  )
    .bind(...values, JSON.stringify(doc.data), doc.updatedAt, doc.id, workspaceId)
    .run();
}

export async function deleteDoc(
  env: AppEnv,
  t: DocTable,
  workspaceId: string,
  id: string,
): Promise<boolean> {
  const result = await env.DB.prepare(`DELETE FROM ${t.table} WHERE id = ? AND workspace_id = ?`)
    .bind(id, workspaceId)
    .run();
  return result.meta.changes > 0;
}

const text = (key: string) => (data: Record<string, unknown>) =>
  typeof data[key] === 'string' ? (data[key] as string).toLowerCase() : null;

export const CONTACTS: DocTable = {
  table: 'contacts',
  columns: {
    external_id: (d) => (typeof d.externalId === 'string' ? d.externalId : null),
    email: text('email'),
    name: (d) => (typeof d.name === 'string' ? d.name : null),
  },
  searchable: ['email', 'name', 'external_id'],
};

export const USERS: DocTable = {
  table: 'users',
  columns: { email: text('email') },
  searchable: ['email', "json_extract(data, '$.name')"],
};

export const TEAMS: DocTable = {
  table: 'teams',
  columns: { name: (d) => (typeof d.name === 'string' ? d.name : null) },
  searchable: ['name'],
};

/** Most custom fields of one company (as a contact's attributes are bounded). */
export const MAX_COMPANY_FIELDS = 100;

export const COMPANIES: DocTable = {
  table: 'companies',
  columns: {
    name: (d) => (typeof d.name === 'string' ? d.name : null),
    domain: text('domain'),
  },
  searchable: ['name', 'domain'],
};

/** The company a contact is linked to (its id), or null; undefined when there is no contact. */
export async function companyOfContact(
  env: AppEnv,
  workspaceId: string,
  contactId: string,
): Promise<string | null | undefined> {
  const row = await env.DB.prepare(
    'SELECT company_id FROM contacts WHERE id = ? AND workspace_id = ?',
  )
    .bind(contactId, workspaceId)
    .first<{ company_id: string | null }>();
  return row ? row.company_id : undefined;
}

/** Links a contact to a company, or unlinks it (`null`). False when the contact is unknown. */
export async function linkCompany(
  env: AppEnv,
  workspaceId: string,
  contactId: string,
  companyId: string | null,
): Promise<boolean> {
  const result = await env.DB.prepare(
    'UPDATE contacts SET company_id = ? WHERE id = ? AND workspace_id = ?',
  )
    .bind(companyId, contactId, workspaceId)
    .run();
  return result.meta.changes > 0;
}

/** A deleted company is unlinked from its contacts (they stay). */
export async function unlinkCompanyEverywhere(
  env: AppEnv,
  workspaceId: string,
  companyId: string,
): Promise<void> {
  await env.DB.prepare(
    'UPDATE contacts SET company_id = NULL WHERE workspace_id = ? AND company_id = ?',
  )
    .bind(workspaceId, companyId)
    .run();
}

/** Teams a user belongs to (names), to refuse deleting a user still in a team. */
export async function teamsOfUser(
  env: AppEnv,
  workspaceId: string,
  userId: string,
): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT name FROM teams WHERE workspace_id = ?
        AND EXISTS (SELECT 1 FROM json_each(teams.data, '$.members') WHERE value = ?)`,
  )
    .bind(workspaceId, userId)
    .all<{ name: string }>();
  return results.map((r) => r.name);
}
