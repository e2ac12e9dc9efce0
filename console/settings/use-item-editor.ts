/**
 * The state of a settings list's create/edit dialog and delete confirmation: which row is
 * being edited (or none for a new one), the form, saving, and the server's refusal.
 */
import { useState } from 'preact/hooks';
import type { ApiFailure } from '../api/errors.ts';
import { failureText } from '../api/errors.ts';
import { toast } from '../ui/toast.tsx';

type Result<T> = { ok: true; data: T } | { ok: false; failure: ApiFailure };

export function useItemEditor<Row extends { id: string }, Form>(options: {
  empty: Form;
  formOf: (row: Row) => Form;
  /** Sends the form (create when `id` is null); a local problem is a failure too. */
  save: (id: string | null, form: Form) => Promise<Result<unknown>>;
  remove: (id: string) => Promise<Result<unknown>>;
  /** After a change was stored. */
  changed: () => void;
  what: string;
}) {
  const [editing, setEditing] = useState<{ id: string | null; form: Form } | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<Row | null>(null);

  return {
    editing,
    failure,
    saving,
    deleting,
    /** A new item, from the empty form or a prefilled one. */
    openNew: (form: Form = options.empty) => {
      setFailure(null);
      setEditing({ id: null, form });
    },
    openEdit: (row: Row) => {
      setFailure(null);
      setEditing({ id: row.id, form: options.formOf(row) });
    },
    setForm: (form: Form) => editing && setEditing({ ...editing, form }),
    close: () => setEditing(null),
    save: async () => {
      if (!editing) return;
      setSaving(true);
      const result = await options.save(editing.id, editing.form);
      setSaving(false);
      if (!result.ok) return setFailure(result.failure);
      toast(`${options.what} ${editing.id ? 'saved' : 'created'}`);
      setEditing(null);
      options.changed();
    },
    askDelete: setDeleting,
    cancelDelete: () => setDeleting(null),
    confirmDelete: async () => {
      if (!deleting) return;
      const row = deleting;
      setDeleting(null);
      const result = await options.remove(row.id);
      if (!result.ok) return toast(failureText(result.failure), 'error');
      toast(`${options.what} deleted`);
      options.changed();
    },
  };
}

/** A failure made in the browser, before anything was sent (shown like the server's). */
export function localFailure(field: string, message: string): ApiFailure {
  return {
    status: 400,
    code: 'invalid_input',
    message: 'Check the form',
    issues: [{ path: field, message }],
    fields: { [field]: message },
  };
}
