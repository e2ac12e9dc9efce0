/** "New flow": name, AI pilot, description — the seed's dialog — then open it in the editor. */
import { useState } from 'preact/hooks';
import { useApi } from '../../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../../api/errors.ts';
import { newFlowDraft } from '../../flows/flow-file.ts';
import type { Pilot } from '../../flows/use-flows.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Field, SelectField, TextField } from '../../ui/field.tsx';
import { Alert } from '../../ui/toast.tsx';

export function CreateFlowDialog({
  open,
  pilots,
  defaultPilotId,
  onClose,
  onCreated,
}: {
  open: boolean;
  pilots: readonly Pilot[];
  defaultPilotId: string;
  onClose: () => void;
  onCreated: (flowId: string) => void;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [pilotId, setPilotId] = useState(defaultPilotId);
  const [description, setDescription] = useState('');
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const chosenPilot = pilotId || pilots[0]?.id || '';

  const create = async () => {
    if (!name.trim()) {
      setNameError('Give the flow a name');
      return;
    }
    setNameError(undefined);
    setBusy(true);
    const draft = newFlowDraft({ name, pilotId: chosenPilot, description });
    const result = await unwrap(api.POST('/flows', { body: draft as never }));
    setBusy(false);
    if (!result.ok) {
      setFailure(result.failure);
      return;
    }
    setName('');
    setDescription('');
    setFailure(null);
    onCreated(result.data.id);
  };

  return (
    <Dialog
      open={open}
      title="New flow"
      onClose={onClose}
      onSubmit={() => void create()}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy || pilots.length === 0}>
            Create
          </Button>
        </>
      }
    >
      {failure && <Alert>{failureText(failure)}</Alert>}
      <TextField
        label="Name"
        value={name}
        onValue={setName}
        error={nameError ?? failure?.fields.name}
        maxLength={200}
        required
      />
      <SelectField
        label="AI pilot"
        value={chosenPilot}
        onValue={setPilotId}
        error={failure?.fields.pilotId}
        options={pilots.map((p) => ({ value: p.id, label: p.name }))}
      />
      <Field label="Description" error={failure?.fields.description}>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            maxLength={2000}
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
        )}
      </Field>
    </Dialog>
  );
}
