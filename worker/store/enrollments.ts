/**
 * Enrollment logs (SPEC 3.4) as the admin API reads them: runs of a flow and their steps, which
 * the events queue consumer writes. Rows stay in D1's shape here; the route maps them to JSON.
 */
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export const ENROLLMENT_STATUSES = ['waiting', 'completed', 'failed', 'cancelled'] as const;

export interface EnrollmentRow {
  id: string;
  workspace_id: string;
  flow_id: string;
  version: number;
  conversation_id: string;
  subject: string;
  status: (typeof ENROLLMENT_STATUSES)[number];
  node_id: string | null;
  error: string | null;
  handed_over: number;
  triggered_at: number;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
}

export type EnrollmentStepRow = Record<string, string | number | null>;

/** Filters of the enrollment list; every one is optional and they AND together. */
export interface EnrollmentFilter {
  status?: (typeof ENROLLMENT_STATUSES)[number] | undefined;
  version?: number | undefined;
  /** Triggered at or after / before, epoch ms. */
  from?: number | undefined;
  to?: number | undefined;
  /** A conversation id, subject or enrollment id. */
  q?: string | undefined;
}

export async function getEnrollment(
  env: AppEnv,
  workspaceId: string,
  id: string,
): Promise<EnrollmentRow | null> {
  return env.DB.prepare('SELECT * FROM enrollments WHERE id = ? AND workspace_id = ?')
    .bind(id, workspaceId)
    .first<EnrollmentRow>();
}

/** One page of a flow's runs, newest first. */
export async function listEnrollments<T>(
  env: AppEnv,
  workspaceId: string,
  flowId: string,
  filter: EnrollmentFilter,
  page: { cursor: Cursor | null; limit: number },
  view: (row: EnrollmentRow) => T,
): Promise<Page<T>> {
  const { limit } = page;
  const set = keyset(page.cursor, limit, 'triggered_at', true);
  const filters = ['workspace_id = ?', 'flow_id = ?', set.where];
  const binds: (string | number)[] = [workspaceId, flowId, ...set.binds];
  const add = (sql: string, ...values: (string | number)[]) => {
    filters.push(sql);
    binds.push(...values);
  };
  const { status, version, from, to, q } = filter;
  if (status) add('status = ?', status);
  if (version !== undefined) add('version = ?', version);
  if (from !== undefined) add('triggered_at >= ?', from);
  if (to !== undefined) add('triggered_at < ?', to);
  if (q) add('(conversation_id = ? OR subject = ? OR id = ?)', q, q, q);
  const { results } = await env.DB.prepare(
    `SELECT * FROM enrollments WHERE ${filters.join(' AND ')}${set.tail}`,
  )
    .bind(...binds)
    .all<EnrollmentRow>();
  return toPage(results, limit, (row) => ({ k: row.triggered_at, id: row.id }), view);
}

/**
 * The first `limit` steps of one run, in order, and how many it recorded in all: a run that
 * loops on a question records steps on every turn, so one read must not return them all.
 */
export async function enrollmentSteps(
  env: AppEnv,
  enrollmentId: string,
  limit: number,
): Promise<{ steps: EnrollmentStepRow[]; total: number }> {
  const { results } = await env.DB.prepare(
    'SELECT * FROM enrollment_steps WHERE enrollment_id = ? ORDER BY seq LIMIT ?',
  )
    .bind(enrollmentId, limit + 1)
    .all<EnrollmentStepRow>();
  if (results.length <= limit) return { steps: results, total: results.length };
  const counted = await env.DB.prepare(
    'SELECT COUNT(*) AS n FROM enrollment_steps WHERE enrollment_id = ?',
  )
    .bind(enrollmentId)
    .first<{ n: number }>();
  return { steps: results.slice(0, limit), total: counted?.n ?? limit };
}
