/**
 * The flow editor page. A minimal version (the flow's name and steps) that the canvas editor
 * replaces; it keeps the contract: `FlowEditorPage({ flowId })`, loading through `useApi()`.
 */
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import type { FlowView } from '../flows/use-flows.ts';
import { Alert } from '../ui/toast.tsx';

export function FlowEditorPage({ flowId }: { flowId: string }) {
  const api = useApi();
  const [flow, setFlow] = useState<FlowView | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    let live = true;
    void unwrap(api.GET('/flows/{flowId}', { params: { path: { flowId } } })).then((result) => {
      if (!live) return;
      if (result.ok) setFlow(result.data);
      else setFailure(result.failure);
    });
    return () => {
      live = false;
    };
  }, [api, flowId]);
  const nodes = (flow?.draft.nodes ?? []) as { id: string; type: string }[];
  return (
    <section class="page">
      <p>
        <a href="/admin/flows">← All flows</a>
      </p>
      {failure && <Alert>Could not load the flow: {failureText(failure)}</Alert>}
      {!flow && !failure && <p role="status">Loading flow…</p>}
      {flow && (
        <>
          <h1>{String(flow.draft.name ?? flow.id)}</h1>
          <h2>Steps</h2>
          <ul>
            {nodes.map((n) => (
              <li key={n.id}>
                <code>{n.id}</code> ({n.type})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
