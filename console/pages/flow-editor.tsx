/**
 * The flow editor page (`/admin/flows/:flowId`): loads the draft with its ETag, then hands it
 * to the canvas editor (console/editor/). Loaded on demand: it carries the canvas library.
 */
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText } from '../api/errors.ts';
import { Editor } from '../editor/editor.tsx';
import { type LoadedDraft, loadDraft } from '../editor/flow-api.ts';
import { withPositions } from '../editor/model/layout.ts';
import { Alert } from '../ui/toast.tsx';
import { yieldToMain } from '../yield-to-main.ts';

export function FlowEditorPage({ flowId }: { flowId: string }) {
  const api = useApi();
  const [loaded, setLoaded] = useState<LoadedDraft | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    let live = true;
    setLoaded(null);
    setFailure(null);
    loadDraft(api, flowId)
      .then(async (result) => {
        // Parsing a large draft is a task's worth of work: let the first render be another one.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (!live) return;
        if (result.ok) {
          // Steps without a position (flows written by hand or by the CLI) get one; positions
          // are saved with the draft (`node.position` is part of the format). The editor's
          // first render is a task of its own.
          const flow = withPositions(result.data.flow);
          await yieldToMain();
          if (live) setLoaded({ ...result.data, flow });
        } else setFailure(result.failure);
      })
      // A draft the page cannot open (it threw while parsed or laid out) says so instead of
      // "Loading flow…" for ever.
      .catch((error: unknown) => {
        console.error('[edgepilot] flow failed to open', error);
        if (live)
          setFailure({
            status: 0,
            code: 'unreadable_flow',
            message: 'This draft could not be opened in the editor.',
            issues: [],
            fields: {},
          });
      });
    return () => {
      live = false;
    };
  }, [api, flowId]);
  if (failure)
    return (
      <section class="page">
        <p>
          <a href="/admin/flows">← All flows</a>
        </p>
        <h1>Flow {flowId}</h1>
        <Alert>Could not load the flow: {failureText(failure)}</Alert>
      </section>
    );
  if (!loaded) return <p role="status">Loading flow…</p>;
  return <Editor key={flowId} flowId={flowId} loaded={loaded} />;
}
