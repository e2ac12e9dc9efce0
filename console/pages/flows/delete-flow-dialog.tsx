/** Confirms a delete, saying what it does to a live flow. */
import { useState } from 'preact/hooks';
import { useApi } from '../../api/context.ts';
import { failureText, unwrap } from '../../api/errors.ts';
import { flowName } from '../../flows/flow-summary.ts';
import type { FlowView } from '../../flows/use-flows.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Alert } from '../../ui/toast.tsx';

export function DeleteFlowDialog({
  flow,
  onClose,
  onDeleted,
}: {
  flow: FlowView | null;
  onClose: () => void;
  onDeleted: (name: string) => void;
}) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = flow ? flowName(flow) : '';
  const remove = async () => {
    if (!flow) return;
    setBusy(true);
    const result = await unwrap(
      api.DELETE('/flows/{flowId}', {
        params: { path: { flowId: flow.id }, header: { 'if-match': `"${flow.revision}"` } },
      }),
    );
    setBusy(false);
    if (!result.ok) {
      setError(
        result.failure.status === 412
          ? 'Someone changed this flow since the list loaded. Reload the list, then delete it again.'
          : failureText(result.failure),
      );
      return;
    }
    setError(null);
    onDeleted(name);
  };
  return (
    <Dialog
      open={flow !== null}
      title={`Delete ${name}?`}
      onClose={() => {
        setError(null);
        onClose();
      }}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" disabled={busy} onClick={() => void remove()}>
            Delete flow
          </Button>
        </>
      }
    >
      {error && <Alert>{error}</Alert>}
      <p>
        The flow, its draft and every version are deleted.
        {flow?.publishedVersion != null && ' It is live: from now on it starts for no one.'}{' '}
        Conversations and logs are kept.
      </p>
    </Dialog>
  );
}
