/**
 * Everything held about one contact, as one JSON document: the contact row, their
 * conversations (from their objects: transcript with rich parts), runs and steps from the
 * enrollment log, emails and records. Every list is bounded; `truncated` says if one was cut.
 */
import type { AppEnv } from '../env.ts';
import { notFound } from '../http/api-error.ts';
import type { ContactExport } from './export-schema.ts';
import { MAX_CONVERSATIONS, planFor } from './targets.ts';

const MAX_RUNS = 1_000;
const MAX_STEPS = 10_000;
const MAX_ROWS = 1_000;
const BINDS_PER_STATEMENT = 90;

interface ContactRow {
  id: string;
  external_id: string | null;
  company_id: string | null;
  email: string | null;
  name: string | null;
  data: string;
  created_at: number;
  updated_at: number;
}

/** `SELECT … WHERE workspace_id = ? AND column IN (values)`, chunked under D1's bind limit. */
async function selectIn<T>(
  env: AppEnv,
  sql: (placeholders: string) => string,
  workspaceId: string | null,
  values: string[],
  limit: number,
  after: string[] = [],
): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < values.length && rows.length <= limit; i += BINDS_PER_STATEMENT) {
    const chunk = values.slice(i, i + BINDS_PER_STATEMENT);
    const binds = workspaceId === null ? chunk : [workspaceId, ...chunk];
    const { results } = await env.DB.prepare(`${sql(chunk.map(() => '?').join(', '))} LIMIT ?`)
      .bind(...binds, ...after, limit + 1)
      .all<T>();
    rows.push(...results);
  }
  return rows;
}

export async function exportContact(
  env: AppEnv,
  workspaceId: string,
  contactId: string,
): Promise<ContactExport> {
  const contact = await env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND id = ?')
    .bind(workspaceId, contactId)
    .first<ContactRow>();
  const plan = contact ? await planFor(env, workspaceId, { kind: 'contact', id: contactId }) : null;
  if (!contact || !plan) throw notFound('Contact');
  const conversations: ContactExport['conversations'] = [];
  for (const ref of plan.conversations) {
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(ref.id));
    const data = await stub.exportData(workspaceId);
    if (data) {
      const { workspaceId: _w, run: _r, assignee: _a, ...rest } = data;
      conversations.push(rest as ContactExport['conversations'][number]);
    }
  }
  const conversationIds = plan.conversations.map((ref) => ref.id);
  const runs = await selectIn<Record<string, string | number | null>>(
    env,
    (p) => `SELECT * FROM enrollments WHERE workspace_id = ? AND conversation_id IN (${p})`,
    workspaceId,
    conversationIds,
    MAX_RUNS,
  );
  const steps = await selectIn<Record<string, string | number | null>>(
    env,
    (p) =>
      `SELECT * FROM enrollment_steps WHERE enrollment_id IN (${p}) ORDER BY enrollment_id, seq`,
    null,
    runs.map((r) => String(r.id)),
    MAX_STEPS,
  );
  const emails = await selectIn<Record<string, string | number | null>>(
    env,
    (p) =>
      `SELECT * FROM outbox WHERE workspace_id = ? AND (conversation_id IN (${p}) OR to_address = ?)`,
    workspaceId,
    conversationIds.length > 0 ? conversationIds : [''],
    MAX_ROWS,
    [plan.targets.email ?? ''],
  );
  const byConversation = await selectIn<Record<string, string | number | null>>(
    env,
    (p) => `SELECT * FROM records WHERE workspace_id = ? AND conversation_id IN (${p})`,
    workspaceId,
    conversationIds,
    MAX_ROWS,
  );
  const byContact = await selectIn<Record<string, string | number | null>>(
    env,
    (p) =>
      `SELECT * FROM records WHERE workspace_id = ? AND json_extract(data, '$.contactId') IN (${p})`,
    workspaceId,
    plan.targets.recordContactIds,
    MAX_ROWS,
  );
  const records = [...new Map([...byConversation, ...byContact].map((r) => [r.id, r])).values()];
  return {
    format: 'edgepilot.contact-export.v1',
    exportedAt: Date.now(),
    contact: {
      id: contact.id,
      externalId: contact.external_id,
      email: contact.email,
      name: contact.name,
      // The link only: the company is a shared record of the workspace, not this person's data.
      companyId: contact.company_id ?? null,
      data: JSON.parse(contact.data),
      createdAt: contact.created_at,
      updatedAt: contact.updated_at,
    },
    conversations,
    runs: runs.slice(0, MAX_RUNS).map((r) => ({
      id: String(r.id),
      conversationId: String(r.conversation_id),
      flowId: String(r.flow_id),
      version: Number(r.version),
      status: String(r.status),
      nodeId: (r.node_id as string | null) ?? null,
      error: (r.error as string | null) ?? null,
      triggeredAt: Number(r.triggered_at),
      startedAt: r.started_at === null ? null : Number(r.started_at),
      endedAt: r.ended_at === null ? null : Number(r.ended_at),
      steps: steps
        .filter((s) => s.enrollment_id === r.id)
        .map((s) => ({
          seq: Number(s.seq),
          nodeId: String(s.node_id),
          nodeType: String(s.node_type),
          status: String(s.status),
          port: (s.port as string | null) ?? null,
          choice: (s.choice as string | null) ?? null,
          error: (s.error as string | null) ?? null,
          at: Number(s.at),
        })),
    })),
    emails: emails.slice(0, MAX_ROWS).map((e) => ({
      id: String(e.id),
      conversationId: (e.conversation_id as string | null) ?? null,
      to: String(e.to_address),
      subject: String(e.subject),
      data: JSON.parse(String(e.data)),
      createdAt: Number(e.created_at),
    })),
    records: records.slice(0, MAX_ROWS).map((r) => ({
      id: String(r.id),
      conversationId: (r.conversation_id as string | null) ?? null,
      kind: String(r.kind),
      data: JSON.parse(String(r.data)),
      createdAt: Number(r.created_at),
    })),
    truncated:
      // A transcript past the object's read caps starts after its first message.
      conversations.some((c) => (c.messages[0]?.seq ?? 1) > 1) ||
      plan.conversations.length >= MAX_CONVERSATIONS ||
      runs.length > MAX_RUNS ||
      steps.length > MAX_STEPS ||
      emails.length > MAX_ROWS ||
      records.length > MAX_ROWS,
  };
}
