/**
 * Insights on the flow's own canvas: each step with its entered / completed / failed / dropped
 * counts, each button (port) with its runs, each connection as wide as its traffic and named
 * with its run count. Drawn on the version filtered by, else the published version (counts of
 * every version then land on that version's steps and ports by id), else the draft.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Flow } from '../../shared/flow/schema.ts';
import type { ApiClient } from '../api/client.ts';
import { type ApiFailure, failureText } from '../api/errors.ts';
import { Canvas } from '../editor/canvas.tsx';
import { loadDraft, loadVersion } from '../editor/flow-api.ts';
import { withPositions } from '../editor/model/layout.ts';
import { Alert } from '../ui/toast.tsx';
import { edgeTraffic, stepStats } from './edge-traffic.ts';
import type { Insights } from './insight-rows.ts';

const noop = () => {};

type Shown = { flow: Flow; label: string };

async function loadShown(api: ApiClient, flowId: string, version: string) {
  if (version) {
    const r = await loadVersion(api, flowId, Number(version));
    return r.ok ? { ok: true as const, data: { flow: r.data, label: `version ${version}` } } : r;
  }
  const draft = await loadDraft(api, flowId);
  if (!draft.ok) return draft;
  const published = draft.data.publishedVersion;
  if (published === null)
    return { ok: true as const, data: { flow: draft.data.flow, label: 'the draft' } };
  const r = await loadVersion(api, flowId, published);
  return r.ok ? { ok: true as const, data: { flow: r.data, label: `version ${published}` } } : r;
}

export function InsightsCanvas(props: {
  api: ApiClient;
  flowId: string;
  version: string;
  insights: Insights;
}) {
  const { api, flowId, version, insights } = props;
  const [shown, setShown] = useState<Shown | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    setShown(null);
    let live = true;
    void loadShown(api, flowId, version).then((r) => {
      if (!live) return;
      if (r.ok) {
        setShown({ flow: withPositions(r.data.flow), label: r.data.label });
        setFailure(null);
      } else setFailure(r.failure);
    });
    return () => {
      live = false;
    };
  }, [api, flowId, version]);
  const traffic = useMemo(() => shown && edgeTraffic(shown.flow, insights), [shown, insights]);
  const stats = useMemo(() => stepStats(insights), [insights]);

  if (failure) return <Alert>Could not load the flow's canvas: {failureText(failure)}</Alert>;
  if (!shown || !traffic) return <p role="status">Loading the canvas…</p>;
  return (
    <section class="run-canvas" aria-label={`Canvas of ${shown.label} with its traffic`}>
      <Canvas
        flow={shown.flow}
        selection={[]}
        problems={new Map()}
        traffic={traffic}
        stats={stats}
        readOnly
        onSelect={noop}
        onMove={noop}
        onConnect={noop}
        onDelete={noop}
        onPlus={noop}
      />
    </section>
  );
}
