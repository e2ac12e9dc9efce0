/**
 * What flows created: CRM records (create_record) and emails (send_email). The runtime's
 * effect executor writes them with `insertRecord` / `insertOutboxEmail`; the admin API reads.
 */
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export const RECORD_KINDS = ['deal', 'task', 'note'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface FlowRecordEntry {
  id: string;
  workspaceId: string;
  pilotId: string | null;
  conversationId: string | null;
  kind: string;
  data: Record<string, unknown>;
  createdAt: number;
}

export interface OutboxEmail {
  id: string;
  workspaceId: string;
  pilotId: string | null;
  conversationId: string | null;
  to: string;
  subject: string;
  data: Record<string, unknown>;
  createdAt: number;
}

interface RecordRow {
  id: string;
  workspace_id: string;
  pilot_id: string | null;
  conversation_id: string | null;
  kind: string;
  data: string;
  created_at: number;
}

interface OutboxRow extends Omit<RecordRow, 'kind'> {
  to_address: string;
  subject: string;
}

export async function insertRecord(env: AppEnv, record: FlowRecordEntry): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO records (id, workspace_id, pilot_id, conversation_id, kind, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  )
    .bind(
      record.id,
      record.workspaceId,
      record.pilotId,
      record.conversationId,
      record.kind,
      JSON.stringify(record.data),
      record.createdAt,
    )
    .run();
}

export async function insertOutboxEmail(env: AppEnv, email: OutboxEmail): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO outbox (id, workspace_id, pilot_id, conversation_id, to_address, subject, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  )
    .bind(
      email.id,
      email.workspaceId,
      email.pilotId,
      email.conversationId,
      email.to,
      email.subject,
      JSON.stringify(email.data),
      email.createdAt,
    )
    .run();
}

/** Newest first. */
export async function listRecords(
  env: AppEnv,
  workspaceId: string,
  kind: string | undefined,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<FlowRecordEntry>> {
  const page = keyset(cursor, limit, 'created_at', true);
  const kindSql = kind ? ' AND kind = ?' : '';
  const { results } = await env.DB.prepare(
    `SELECT * FROM records WHERE workspace_id = ?${kindSql} AND ${page.where}${page.tail}`,
  )
    .bind(workspaceId, ...(kind ? [kind] : []), ...page.binds)
    .all<RecordRow>();
  return toPage(
    results,
    limit,
    (r) => ({ k: r.created_at, id: r.id }),
    (r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      pilotId: r.pilot_id,
      conversationId: r.conversation_id,
      kind: r.kind,
      data: JSON.parse(r.data) as Record<string, unknown>,
      createdAt: r.created_at,
    }),
  );
}

/** Newest first. */
export async function listOutbox(
  env: AppEnv,
  workspaceId: string,
  limit: number,
  cursor: Cursor | null,
): Promise<Page<OutboxEmail>> {
  const page = keyset(cursor, limit, 'created_at', true);
  const { results } = await env.DB.prepare(
    `SELECT * FROM outbox WHERE workspace_id = ? AND ${page.where}${page.tail}`,
  )
    .bind(workspaceId, ...page.binds)
    .all<OutboxRow>();
  return toPage(
    results,
    limit,
    (r) => ({ k: r.created_at, id: r.id }),
    (r) => ({
      id: r.id,
      workspaceId: r.workspace_id,
      pilotId: r.pilot_id,
      conversationId: r.conversation_id,
      to: r.to_address,
      subject: r.subject,
      data: JSON.parse(r.data) as Record<string, unknown>,
      createdAt: r.created_at,
    }),
  );
}
