/** The enrollment log's filter form → the query of `GET /flows/:flowId/enrollments`. Pure. */
import { dateInputToEpoch } from './format.ts';

export const RUN_STATUSES = ['waiting', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunFilters {
  status: '' | RunStatus;
  /** `yyyy-mm-dd` from date inputs; `to` is inclusive (the whole day). */
  from: string;
  to: string;
  version: string;
  q: string;
}

export const emptyFilters: RunFilters = { status: '', from: '', to: '', version: '', q: '' };

export interface RunQuery {
  status?: RunStatus;
  from?: number;
  to?: number;
  version?: number;
  q?: string;
}

/** The query for `filters`, or the name and reason of the first invalid field. */
export function runQuery(
  filters: RunFilters,
): { ok: true; query: RunQuery } | { ok: false; field: keyof RunFilters; message: string } {
  const query: RunQuery = {};
  if (filters.status) query.status = filters.status;
  if (filters.from) {
    const from = dateInputToEpoch(filters.from);
    if (from === undefined) return { ok: false, field: 'from', message: 'Not a date' };
    query.from = from;
  }
  if (filters.to) {
    const to = dateInputToEpoch(filters.to, true);
    if (to === undefined) return { ok: false, field: 'to', message: 'Not a date' };
    query.to = to;
  }
  if (query.from !== undefined && query.to !== undefined && query.to <= query.from)
    return { ok: false, field: 'to', message: 'Must be on or after the start date' };
  if (filters.version.trim()) {
    const version = Number(filters.version);
    if (!Number.isInteger(version) || version < 1)
      return { ok: false, field: 'version', message: 'A version number: 1 or more' };
    query.version = version;
  }
  const q = filters.q.trim();
  if (q) query.q = q.slice(0, 200);
  return { ok: true, query };
}

/** What each action does, said before it happens (the run page's confirmations). */
export function retryExplanation(status: RunStatus, nodeId: string | null): string {
  return status === 'failed'
    ? `Retry continues this run from the step that failed (${nodeId ?? 'its last node'}), on the same flow version with the same variables. Steps before it are not repeated.`
    : 'Retry starts a new run of the published version of this flow in the same conversation. It is refused while the conversation has another active run.';
}

export const UNENROLL_EXPLANATION =
  'Unenroll cancels this run (status "cancelled"): the flow sends nothing more in it and waits for no answer. The visitor’s chat stays open and its transcript is kept.';
