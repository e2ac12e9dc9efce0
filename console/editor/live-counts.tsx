/**
 * Live counts on the canvas: with the "Live" toggle on, the editor opens the pilot's live
 * socket (single-use ticket, as the live view does: same client) and shows on each step how
 * many conversations wait there right now; a count lists them, each opening in the inbox.
 */
import { useMemo } from 'preact/hooks';
import { useApi } from '../api/context.ts';
import { shortUrl, waitingFor } from '../ops/format.ts';
import { type LiveRow, waitingByNode } from '../ops/live-frames.ts';
import { type LiveState, liveStateText, useLiveRows } from '../ops/live-socket.ts';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';

export function useLiveCounts(pilotId: string, flowId: string, on: boolean) {
  const api = useApi();
  const { rows, state } = useLiveRows(api, on ? pilotId : '');
  const byNode = useMemo(() => waitingByNode(rows, flowId), [rows, flowId]);
  const counts = useMemo(
    () => new Map([...byNode].map(([id, list]) => [id, list.length])),
    [byNode],
  );
  return { byNode, counts, state };
}

export function LiveCountsState({ state }: { state: LiveState }) {
  return (
    <p class={`live-state live-${state}`} role="status">
      Live counts: {liveStateText[state]}
    </p>
  );
}

export function LiveList(props: {
  nodeId: string | null;
  rows: readonly LiveRow[];
  onClose: () => void;
}) {
  const now = Date.now();
  return (
    <Dialog
      open={props.nodeId !== null}
      title={`Waiting at ${props.nodeId ?? ''}`}
      onClose={props.onClose}
      actions={<Button onClick={props.onClose}>Close</Button>}
    >
      {props.rows.length === 0 ? (
        <p>Nobody waits here any more.</p>
      ) : (
        <ul aria-label={`Conversations waiting at ${props.nodeId ?? ''}`}>
          {props.rows.map((r) => (
            <li key={r.conversationId}>
              <a href={`/admin/inbox/${encodeURIComponent(r.conversationId)}`}>{r.visitorId}</a> ·{' '}
              {shortUrl(r.pageUrl)} · waiting {waitingFor(r.waitingSince, now)}
              {r.lastMessage ? ` · “${r.lastMessage}”` : ''}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
