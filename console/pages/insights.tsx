/**
 * Insights of a flow: totals (triggered, started, completed, dropped, handed over, failed,
 * cancelled), a chart of them over time, the flow's canvas with each step's counts and each
 * connection as wide as its traffic, per node entered/completed/failed/dropped, per choice its
 * count — as tables, each number with a bar drawn beside it (the bar is decoration: the number
 * is the data); a second version's totals and nodes side by side.
 */
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import type { ApiClient } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { DateField } from '../ops/date-field.tsx';
import { dateInputToEpoch } from '../ops/format.ts';
import {
  type BarRow,
  type CompareRow,
  choiceRows,
  compareNodeRows,
  compareRows,
  type Insights,
  totalRows,
} from '../ops/insight-rows.ts';
import { InsightsCanvas } from '../ops/insights-canvas.tsx';
import { InsightsChart } from '../ops/insights-chart.tsx';
import { flowLabel, useFlowChoices } from '../ops/use-pilots.ts';
import { SelectField, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

/** A number with its bar; the bar's width is a class (the CSP allows no inline style). */
function Bar({ value, percent }: { value: number; percent: number }) {
  const step = Math.round(percent / 5) * 5;
  return (
    <span class="bar-cell">
      <span class="bar-value">{value}</span>
      <span class={`bar bar-w${step}`} aria-hidden="true" />
    </span>
  );
}

export function InsightsPage() {
  const api = useApi();
  const { query: search, route } = useLocation();
  const { flows, failure: flowsFailure } = useFlowChoices(api);
  // No flow in the URL: the first flow. Derived, not redirected: while the next page of a link
  // loads, this one still renders with the new location and must not navigate on its own.
  const flowId = search.flowId ?? flows?.[0]?.id ?? '';
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [version, setVersion] = useState('');
  const [compareTo, setCompareTo] = useState('');
  const versionError = versionFieldError(version);
  const compareError = versionFieldError(compareTo);
  const range = { from: dateInputToEpoch(from), to: dateInputToEpoch(to, true) };
  const { insights, failure } = useInsights(api, flowId, range, versionError ? '' : version);
  const compared = useInsights(api, compareTo && !compareError ? flowId : '', range, compareTo);

  const totalColumns: Column<BarRow>[] = [
    { header: 'Outcome', rowHeader: true, cell: (r) => r.label },
    { header: 'Runs', cell: (r) => <Bar value={r.value} percent={r.percent} /> },
  ];
  type NodeRow = Insights['nodes'][number];
  const maxEntered = Math.max(0, ...(insights?.nodes ?? []).map((n) => n.entered));
  const pct = (v: number) => (maxEntered > 0 ? Math.round((v / maxEntered) * 100) : 0);
  const nodeColumns: Column<NodeRow>[] = [
    { header: 'Node', rowHeader: true, cell: (n) => `${n.nodeId} (${n.nodeType})` },
    { header: 'Entered', cell: (n) => <Bar value={n.entered} percent={pct(n.entered)} /> },
    { header: 'Completed', cell: (n) => <Bar value={n.completed} percent={pct(n.completed)} /> },
    { header: 'Failed', cell: (n) => <Bar value={n.failed} percent={pct(n.failed)} /> },
    { header: 'Dropped', cell: (n) => <Bar value={n.dropped} percent={pct(n.dropped)} /> },
  ];
  type ChoiceRow = ReturnType<typeof choiceRows>[number];
  const choiceColumns: Column<ChoiceRow>[] = [
    { header: 'Question', cell: (c) => c.nodeId },
    { header: 'Choice', rowHeader: true, cell: (c) => c.choice },
    { header: 'Chosen', cell: (c) => <Bar value={c.count} percent={c.percent} /> },
    { header: 'Share', class: 'num', cell: (c) => `${c.percent}%` },
  ];

  return (
    <section class="page">
      <header class="page-header">
        <h1>Insights</h1>
        {flowId && (
          <a href={`/admin/runs?flowId=${encodeURIComponent(flowId)}`}>
            Enrollment logs of this flow
          </a>
        )}
      </header>
      {flowsFailure && <Alert>Could not load flows: {failureText(flowsFailure)}</Alert>}
      <search class="toolbar" aria-label="Filter insights">
        <SelectField
          label="Flow"
          value={flowId}
          onValue={(id) => route(`/admin/insights?flowId=${encodeURIComponent(id)}`)}
          options={(flows ?? []).map((f) => ({ value: f.id, label: flowLabel(f) }))}
        />
        <DateField label="From" value={from} onValue={setFrom} />
        <DateField label="To" value={to} onValue={setTo} />
        <TextField
          label="Version"
          type="number"
          value={version}
          onValue={setVersion}
          error={versionError}
        />
        <TextField
          label="Compare with version"
          hint="Totals and steps side by side"
          type="number"
          value={compareTo}
          onValue={setCompareTo}
          error={compareError}
        />
      </search>
      {failure && <Alert>Could not load insights: {failureText(failure)}</Alert>}
      {flowId && !insights && !failure && <p role="status">Loading insights…</p>}
      {insights && (
        <>
          <Table
            caption="Runs by outcome"
            columns={totalColumns}
            rows={totalRows(insights)}
            rowKey={(r) => r.key}
            empty="No run yet."
          />
          {compared.insights && (
            <Table
              caption={`Version ${version || 'all'} compared with version ${compareTo}`}
              columns={[
                { header: 'Outcome', rowHeader: true, cell: (r: CompareRow) => r.label },
                {
                  header: `Version ${version || 'all'}`,
                  class: 'num',
                  cell: (r: CompareRow) => r.a,
                },
                { header: `Version ${compareTo}`, class: 'num', cell: (r: CompareRow) => r.b },
              ]}
              rows={compareRows(insights, compared.insights)}
              rowKey={(r) => r.key}
              empty="No run yet."
            />
          )}
          {compared.insights && (
            <Table
              caption={`Steps entered: version ${version || 'all'} and version ${compareTo}`}
              columns={[
                { header: 'Step', rowHeader: true, cell: (r: CompareRow) => r.label },
                {
                  header: `Version ${version || 'all'}`,
                  class: 'num',
                  cell: (r: CompareRow) => r.a,
                },
                { header: `Version ${compareTo}`, class: 'num', cell: (r: CompareRow) => r.b },
              ]}
              rows={compareNodeRows(insights, compared.insights)}
              rowKey={(r) => r.key}
              empty="No step entered yet."
            />
          )}
          <InsightsChart
            api={api}
            flowId={flowId}
            range={range}
            version={versionError ? '' : version}
          />
          <h2>On the canvas</h2>
          <p>
            Each step with its counts, each button with the runs that chose it, each connection as
            wide as the runs that took it.
          </p>
          <InsightsCanvas
            api={api}
            flowId={flowId}
            version={versionError ? '' : version}
            insights={insights}
          />
          <Table
            caption="Per node"
            columns={nodeColumns}
            rows={insights.nodes}
            rowKey={(n) => n.nodeId}
            empty="No node entered yet."
          />
          <Table
            caption="Per choice"
            columns={choiceColumns}
            rows={choiceRows(insights)}
            rowKey={(c) => c.key}
            empty="No choice made yet."
          />
        </>
      )}
    </section>
  );
}

function versionFieldError(value: string): string | undefined {
  const n = Number(value);
  return value && !(Number.isInteger(n) && n >= 1) ? 'A version number: 1 or more' : undefined;
}

/** Insights of `flowId` ('' = none) for a date range and version ('' = every version). */
function useInsights(
  api: ApiClient,
  flowId: string,
  range: { from: number | undefined; to: number | undefined },
  version: string,
) {
  const [insights, setInsights] = useState<Insights | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const { from, to } = range;
  useEffect(() => {
    setInsights(null);
    if (!flowId) return;
    let live = true;
    const query = {
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(version ? { version: Number(version) } : {}),
    };
    void unwrap(api.GET('/flows/{flowId}/insights', { params: { path: { flowId }, query } })).then(
      (r) => {
        if (!live) return;
        if (r.ok) {
          setInsights(r.data);
          setFailure(null);
        } else setFailure(r.failure);
      },
    );
    return () => {
      live = false;
    };
  }, [api, flowId, from, to, version]);
  return { insights, failure };
}
