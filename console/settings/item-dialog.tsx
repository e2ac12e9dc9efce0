/**
 * The create/edit dialog every settings list uses: a form in a native dialog, the server's
 * refusal shown at the top and next to each field it names.
 */
import type { ComponentChildren } from 'preact';
import type { ApiFailure } from '../api/errors.ts';
import { failureText } from '../api/errors.ts';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { Alert } from '../ui/toast.tsx';

export function ItemDialog({
  open,
  title,
  saveLabel,
  saving,
  failure,
  onSave,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  saveLabel: string;
  saving: boolean;
  failure: ApiFailure | null;
  onSave: () => void;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      onSubmit={onSave}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" disabled={saving}>
            {saveLabel}
          </Button>
        </>
      }
    >
      {failure && <Alert>Not saved: {failureText(failure)}</Alert>}
      {children}
    </Dialog>
  );
}

/** A labelled checkbox (its label is its accessible name). */
export function Check({
  id,
  label,
  checked,
  onChange,
  hint,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} class="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}
