/**
 * Flows: every flow with its pilot, trigger, status, priority, last publish and runs today;
 * search, filter by pilot; create, duplicate, delete, import and export (the CLI's files).
 */

import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { useApi } from '../api/context.ts';
import { failureText, unwrap } from '../api/errors.ts';
import { downloadText } from '../flows/download.ts';
import { duplicateDraft, flowFileName, flowFileText } from '../flows/flow-file.ts';
import {
  filterFlows,
  flowName,
  flowPriority,
  flowStatus,
  statusLabel,
  triggerLabel,
} from '../flows/flow-summary.ts';
import { type FlowView, MAX_DETAIL_ROWS, useFlowDetails, useFlows } from '../flows/use-flows.ts';
import { Button } from '../ui/button.tsx';
import { SelectField, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert, toast } from '../ui/toast.tsx';
import { CreateFlowDialog } from './flows/create-flow-dialog.tsx';
import { DeleteFlowDialog } from './flows/delete-flow-dialog.tsx';
import { ImportFlowDialog } from './flows/import-flow-dialog.tsx';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function FlowsListPage() {
  const api = useApi();
  const { route } = useLocation();
  const { data, failure, reload } = useFlows(api);
  const [query, setQuery] = useState('');
  const [pilotFilter, setPilotFilter] = useState('');
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null);
  const [deleting, setDeleting] = useState<FlowView | null>(null);

  const pilots = data?.pilots ?? [];
  const pilotName = (id: string) => pilots.find((p) => p.id === id)?.name ?? id;
  const shown = useMemo(
    () => filterFlows(data?.flows ?? [], query, pilotFilter),
    [data, query, pilotFilter],
  );
  const details = useFlowDetails(api, shown);
  const refresh = reload;

  const duplicate = async (flow: FlowView) => {
    const name = flowName(flow);
    const result = await unwrap(
      api.POST('/flows', { body: duplicateDraft(flow.draft, name) as never }),
    );
    if (!result.ok)
      return toast(`Could not duplicate ${name}: ${failureText(result.failure)}`, 'error');
    toast(`Duplicated ${name}`);
    await refresh();
  };

  const columns: Column<FlowView>[] = [
    {
      header: 'Name',
      rowHeader: true,
      cell: (f) => <a href={`/admin/flows/${encodeURIComponent(f.id)}`}>{flowName(f)}</a>,
    },
    { header: 'Pilot', cell: (f) => pilotName(f.pilotId) },
    { header: 'Trigger', cell: (f) => triggerLabel(f.draft.trigger) },
    {
      header: 'Status',
      cell: (f) => {
        const status = flowStatus(f.publishedVersion, details[f.id]?.latestVersion ?? null);
        if (status.kind === 'unknown') {
          return (
            <>
              <span aria-hidden="true">…</span>
              <span class="visually-hidden">Loading</span>
            </>
          );
        }
        return <span class={`badge badge-${status.kind}`}>{statusLabel(status)}</span>;
      },
    },
    { header: 'Priority', cell: (f) => flowPriority(f), class: 'num' },
    {
      header: 'Last published',
      cell: (f) => {
        const at = details[f.id]?.lastPublishedAt;
        return at ? dateFormat.format(at) : details[f.id] ? 'Never' : '…';
      },
    },
    {
      header: 'Runs today',
      class: 'num',
      cell: (f) => details[f.id]?.runsToday ?? '…',
    },
    {
      header: 'Actions',
      cell: (f) => {
        const name = flowName(f);
        return (
          <div class="row-actions">
            <Button
              variant="ghost"
              aria-label={`Export ${name}`}
              onClick={() => downloadText(flowFileName(name), flowFileText(f.id, f.draft))}
            >
              Export
            </Button>
            <Button
              variant="ghost"
              aria-label={`Duplicate ${name}`}
              onClick={() => void duplicate(f)}
            >
              Duplicate
            </Button>
            <Button
              variant="ghost"
              class="btn-danger-ghost"
              aria-label={`Delete ${name}`}
              onClick={() => setDeleting(f)}
            >
              Delete
            </Button>
          </div>
        );
      },
    },
  ];

  return (
    <section class="page">
      <header class="page-header">
        <h1>Flows</h1>
        <div class="page-actions">
          <Button onClick={() => setDialog('import')} disabled={!data}>
            Import
          </Button>
          <Button variant="primary" onClick={() => setDialog('create')} disabled={!data}>
            New flow
          </Button>
        </div>
      </header>
      <search class="toolbar" aria-label="Filter flows">
        <TextField label="Search flows" type="search" value={query} onValue={setQuery} />
        <SelectField
          label="Pilot"
          value={pilotFilter}
          onValue={setPilotFilter}
          options={[
            { value: '', label: 'All pilots' },
            ...pilots.map((p) => ({ value: p.id, label: p.name })),
          ]}
        />
      </search>
      {failure && <Alert>Could not load flows: {failureText(failure)}</Alert>}
      {!data && !failure && <p role="status">Loading flows…</p>}
      {data && (
        <>
          <Table
            caption="Flows"
            captionHidden
            columns={columns}
            rows={shown}
            rowKey={(f) => f.id}
            empty={query || pilotFilter ? 'No flow matches.' : 'No flows yet: create one.'}
          />
          <p class="table-note" role="status">
            {shown.length} of {data.flows.length} flows shown
            {data.truncated ? ' (only the first flows are listed)' : ''}
            {shown.length > MAX_DETAIL_ROWS
              ? `; status details and runs today for the first ${MAX_DETAIL_ROWS}`
              : ''}
            .
          </p>
        </>
      )}
      {data && (
        <CreateFlowDialog
          open={dialog === 'create'}
          pilots={pilots}
          defaultPilotId={pilotFilter}
          onClose={() => setDialog(null)}
          onCreated={(id) => {
            setDialog(null);
            route(`/admin/flows/${encodeURIComponent(id)}`);
          }}
        />
      )}
      {data && (
        <ImportFlowDialog
          open={dialog === 'import'}
          pilots={pilots}
          onClose={() => setDialog(null)}
          onImported={(_id, name) => {
            setDialog(null);
            toast(`Imported ${name}`);
            void refresh();
          }}
        />
      )}
      <DeleteFlowDialog
        flow={deleting}
        onClose={() => setDeleting(null)}
        onDeleted={(name) => {
          setDeleting(null);
          toast(`Deleted ${name}`);
          void refresh();
        }}
      />
    </section>
  );
}
