/**
 * Import a flow file (what `edgepilot pull` writes, or the console's export) as a new flow.
 * The file is checked against the flow format before anything is sent; the pilot can be
 * changed, since a file pulled from another workspace names a pilot this one lacks.
 */
import { useState } from 'preact/hooks';
import { useApi } from '../../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../../api/errors.ts';
import { MAX_FLOW_FILE_BYTES } from '../../flows/flow-file.ts';
import type { ParsedFlowFile } from '../../flows/flow-file-parse.ts';
import type { Pilot } from '../../flows/use-flows.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Field, SelectField } from '../../ui/field.tsx';
import { Alert } from '../../ui/toast.tsx';

export function ImportFlowDialog({
  open,
  pilots,
  onClose,
  onImported,
}: {
  open: boolean;
  pilots: readonly Pilot[];
  onClose: () => void;
  onImported: (flowId: string, name: string) => void;
}) {
  const api = useApi();
  const [parsed, setParsed] = useState<ParsedFlowFile | null>(null);
  const [pilotId, setPilotId] = useState('');
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState(false);

  const readFile = async (file: File | undefined) => {
    setFailure(null);
    if (!file) return setParsed(null);
    if (file.size > MAX_FLOW_FILE_BYTES) {
      return setParsed({ ok: false, error: 'The file is over 1 MB', issues: [] });
    }
    // The flow format's schema (zod) loads only when a file is picked.
    const { parseFlowFile } = await import('../../flows/flow-file-parse.ts');
    const result = parseFlowFile(await file.text());
    setParsed(result);
    if (result.ok) {
      const known = pilots.some((p) => p.id === result.flow.pilotId);
      setPilotId(known ? result.flow.pilotId : (pilots[0]?.id ?? ''));
    }
  };

  const importFlow = async () => {
    if (!parsed?.ok) return;
    setBusy(true);
    const body = { ...parsed.flow, pilotId };
    const result = await unwrap(api.POST('/flows', { body: body as never }));
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setParsed(null);
    onImported(result.data.id, parsed.flow.name);
  };

  const close = () => {
    setParsed(null);
    setFailure(null);
    onClose();
  };

  return (
    <Dialog
      open={open}
      title="Import a flow file"
      onClose={close}
      onSubmit={() => void importFlow()}
      actions={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy || !parsed?.ok || !pilotId}>
            Import
          </Button>
        </>
      }
    >
      <Field
        label="Flow file (.json)"
        hint="The format `edgepilot pull` writes and Export downloads; it becomes a new flow (a draft)."
        error={parsed && !parsed.ok ? parsed.error : undefined}
      >
        {(control) => (
          <input
            {...control}
            type="file"
            accept="application/json,.json"
            onChange={(e) => void readFile(e.currentTarget.files?.[0])}
          />
        )}
      </Field>
      {parsed && !parsed.ok && parsed.issues.length > 0 && (
        <ul class="issue-list" aria-label="Problems in the file">
          {parsed.issues.slice(0, 20).map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path}</code>: {i.message}
            </li>
          ))}
        </ul>
      )}
      {parsed?.ok && (
        <>
          <p>
            <strong>{parsed.flow.name}</strong>: {parsed.flow.nodes.length} steps, trigger{' '}
            {parsed.flow.trigger.type.replace('_', ' ')}.
          </p>
          <SelectField
            label="AI pilot"
            hint={
              pilots.some((p) => p.id === parsed.flow.pilotId)
                ? undefined
                : `The file's pilot (${parsed.flow.pilotId}) is not in this workspace: pick one.`
            }
            value={pilotId}
            onValue={setPilotId}
            options={pilots.map((p) => ({ value: p.id, label: p.name }))}
          />
        </>
      )}
      {failure && <Alert>{failureText(failure)}</Alert>}
    </Dialog>
  );
}
