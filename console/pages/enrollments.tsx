/**
 * Enrollment logs of a flow: its runs (visitor or contact, started, version, status, node,
 * duration), filtered by status, date range and version, searched by conversation, visitor or
 * contact; cursor pagination ("Load more").
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { DateField } from '../ops/date-field.tsx';
import { formatDuration, formatTime } from '../ops/format.ts';
import {
  emptyFilters,
  RUN_STATUSES,
  type RunFilters,
  type RunQuery,
  runQuery,
} from '../ops/run-filters.ts';
import { flowLabel, useFlowChoices } from '../ops/use-pilots.ts';
import { Button } from '../ui/button.tsx';
import { SelectField, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

type Run = components['schemas']['Enrollment'];
const PAGE = 25;

export function EnrollmentsPage() {
  const api = useApi();
  const { query: search, route } = useLocation();
  const { flows, failure: flowsFailure } = useFlowChoices(api);
  // No flow in the URL: the first flow. Derived, not redirected: while the next page of a link
  // loads, this one still renders with the new location and must not navigate on its own.
  const flowId = search.flowId ?? flows?.[0]?.id ?? '';
  const [form, setForm] = useState<RunFilters>(emptyFilters);
  const [applied, setApplied] = useState<RunQuery>({});
  const [formError, setFormError] = useState<{ field: keyof RunFilters; message: string } | null>(
    null,
  );
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const result = await unwrap(
        api.GET('/flows/{flowId}/enrollments', {
          params: {
            path: { flowId },
            query: { ...applied, limit: PAGE, ...(after ? { cursor: after } : {}) },
          },
        }),
      );
      if (!result.ok) return setFailure(result.failure);
      setFailure(null);
      setRuns((prev) => (after ? [...(prev ?? []), ...result.data.items] : result.data.items));
      setCursor(result.data.nextCursor);
    },
    [api, flowId, applied],
  );
  useEffect(() => {
    setRuns(null);
    if (flowId) void fetchPage(null);
  }, [fetchPage, flowId]);

  const apply = () => {
    const parsed = runQuery(form);
    if (!parsed.ok) return setFormError({ field: parsed.field, message: parsed.message });
    setFormError(null);
    setApplied(parsed.query);
  };
  const error = (field: keyof RunFilters) =>
    formError?.field === field ? formError.message : undefined;
  const set = (field: keyof RunFilters) => (value: string) =>
    setForm((f) => ({ ...f, [field]: value }));

  const columns: Column<Run>[] = [
    {
      header: 'Run',
      rowHeader: true,
      cell: (r) => <a href={`/admin/runs/${encodeURIComponent(r.id)}`}>{r.id}</a>,
    },
    { header: 'Visitor or contact', cell: (r) => r.subject },
    { header: 'Started', cell: (r) => formatTime(r.triggeredAt) },
    { header: 'Version', class: 'num', cell: (r) => r.version },
    {
      header: 'Status',
      cell: (r) => (
        <span class={`badge badge-run-${r.status}`}>
          {r.status}
          {r.handedOver ? ' (handed over)' : ''}
        </span>
      ),
    },
    { header: 'Node', cell: (r) => r.nodeId ?? '—' },
    {
      header: 'Duration',
      cell: (r) => formatDuration(r.endedAt === null ? null : r.endedAt - r.triggeredAt),
    },
  ];

  return (
    <section class="page">
      <header class="page-header">
        <h1>Enrollment logs</h1>
        {flowId && (
          <a href={`/admin/insights?flowId=${encodeURIComponent(flowId)}`}>Insights of this flow</a>
        )}
      </header>
      {flowsFailure && <Alert>Could not load flows: {failureText(flowsFailure)}</Alert>}
      <SelectField
        label="Flow"
        value={flowId}
        onValue={(id) => route(`/admin/runs?flowId=${encodeURIComponent(id)}`)}
        options={(flows ?? []).map((f) => ({ value: f.id, label: flowLabel(f) }))}
      />
      <search aria-label="Filter runs">
        <form
          class="toolbar"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <SelectField
            label="Status"
            value={form.status}
            onValue={set('status')}
            options={[
              { value: '', label: 'Any status' },
              ...RUN_STATUSES.map((s) => ({ value: s, label: s })),
            ]}
          />
          <DateField label="From" value={form.from} onValue={set('from')} error={error('from')} />
          <DateField label="To" value={form.to} onValue={set('to')} error={error('to')} />
          <TextField
            label="Version"
            type="number"
            value={form.version}
            onValue={set('version')}
            error={error('version')}
          />
          <TextField
            label="Search runs"
            hint="Conversation id, visitor, contact or run id"
            type="search"
            value={form.q}
            onValue={set('q')}
          />
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
        </form>
      </search>
      {failure && <Alert>Could not load runs: {failureText(failure)}</Alert>}
      {flowId && !runs && !failure && <p role="status">Loading runs…</p>}
      {runs && (
        <>
          <Table
            caption="Runs"
            captionHidden
            columns={columns}
            rows={runs}
            rowKey={(r) => r.id}
            empty="No run matches."
          />
          <p class="table-note" role="status">
            {runs.length} runs shown{cursor ? '; more are available' : ''}.
          </p>
          {cursor && <Button onClick={() => void fetchPage(cursor)}>Load more runs</Button>}
        </>
      )}
    </section>
  );
}
