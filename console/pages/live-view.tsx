/**
 * Live view: a pilot's active conversations (visitor, page, flow, node, waiting since, last
 * message), kept current by the live WebSocket (opened with a single-use ticket, never with
 * the key in a URL). The waiting times tick every second.
 */
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/context.ts';
import { failureText } from '../api/errors.ts';
import { shortUrl, waitingFor } from '../ops/format.ts';
import { activeRows, isLagging, type LiveRow } from '../ops/live-frames.ts';
import { LAGGING_TEXT, liveStateText, useLiveRows } from '../ops/live-socket.ts';
import { usePilots } from '../ops/use-pilots.ts';
import { SelectField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

export function LiveViewPage() {
  const api = useApi();
  const { pilots, failure } = usePilots(api);
  const [pilotId, setPilotId] = useState('');
  // The first pilot until the admin picks one. An updater, not the `pilotId` of the render that
  // scheduled this effect: Preact runs a pending effect just before the next render, so when the
  // admin picked a pilot the moment the list appeared, a `setPilotId(pilots[0].id)` guarded by
  // that render's empty `pilotId` replaced the pick, and the page watched (and said "Live" for)
  // the first pilot instead — the console-ops flake: the visitor's row never came.
  useEffect(() => {
    const first = pilots?.[0]?.id;
    if (first) setPilotId((current) => current || first);
  }, [pilots]);
  const { rows, state, laggingAt } = useLiveRows(api, pilotId);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const shown = activeRows(rows);
  const columns: Column<LiveRow>[] = [
    {
      header: 'Visitor',
      rowHeader: true,
      cell: (r) => (
        <a href={`/admin/inbox/${encodeURIComponent(r.conversationId)}`}>{r.visitorId}</a>
      ),
    },
    { header: 'Page', cell: (r) => shortUrl(r.pageUrl) },
    { header: 'Flow', cell: (r) => r.flowId ?? '—' },
    { header: 'Node', cell: (r) => r.nodeId ?? '—' },
    { header: 'Waiting', cell: (r) => waitingFor(r.waitingSince, now) },
    { header: 'Last message', cell: (r) => r.lastMessage ?? '—' },
    { header: 'State', cell: (r) => (r.mode === 'agent' ? 'Handed over' : 'With the pilot') },
  ];

  return (
    <section class="page">
      <header class="page-header">
        <h1>Live view</h1>
        <p class={`live-state live-${state}`} role="status">
          {pilotId ? liveStateText[state] : ''}
        </p>
        {pilotId && isLagging(laggingAt, now) && (
          <p class="live-lagging" role="status">
            {LAGGING_TEXT}
          </p>
        )}
      </header>
      {failure && <Alert>Could not load pilots: {failureText(failure)}</Alert>}
      <search class="toolbar" aria-label="Choose a pilot">
        <SelectField
          label="Pilot"
          value={pilotId}
          onValue={setPilotId}
          options={(pilots ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
      </search>
      {pilots && pilots.length === 0 && <p>No pilot yet.</p>}
      {pilotId && (
        <Table
          caption="Active conversations"
          columns={columns}
          rows={shown}
          rowKey={(r) => r.conversationId}
          empty="No active conversation right now."
        />
      )}
    </section>
  );
}
