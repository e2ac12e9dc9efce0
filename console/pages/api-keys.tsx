/**
 * API keys of the workspace: list (never the keys themselves), create with scopes — the secret
 * is shown once, with a copy button, and is gone when the dialog closes — and revoke after
 * saying what revoking does.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { fieldError } from '../ops/pilot-form.ts';
import { SCOPE_CHOICES, scopesText, shortDate, toggleScope } from '../settings/access-model.ts';
import { Check, ItemDialog } from '../settings/item-dialog.tsx';
import { localFailure } from '../settings/use-item-editor.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/confirm.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { Field, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert, toast } from '../ui/toast.tsx';

type ApiKey = components['schemas']['ApiKey'];
type Scope = ApiKey['scopes'][number];

export function ApiKeysPage() {
  const api = useApi();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [loadFailure, setLoadFailure] = useState<ApiFailure | null>(null);
  const [creating, setCreating] = useState<{ name: string; scopes: Scope[] } | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const reload = useCallback(async () => {
    const result = await unwrap(api.GET('/api-keys', { params: { query: { limit: 100 } } }));
    if (result.ok) setKeys(result.data.items);
    else setLoadFailure(result.failure);
  }, [api]);
  useEffect(() => void reload(), [reload]);

  const create = async () => {
    if (!creating) return;
    if (creating.scopes.length === 0)
      return setFailure(localFailure('scopes', 'Choose at least one scope'));
    setSaving(true);
    const result = await unwrap(
      api.POST('/api-keys', { body: { name: creating.name, scopes: creating.scopes } }),
    );
    setSaving(false);
    if (!result.ok) return setFailure(result.failure);
    setCreating(null);
    setSecret({ name: result.data.name, key: result.data.key });
    void reload();
  };

  const revoke = async () => {
    if (!revoking) return;
    const key = revoking;
    setRevoking(null);
    const result = await unwrap(
      api.DELETE('/api-keys/{keyId}', { params: { path: { keyId: key.id } } }),
    );
    if (!result.ok) return toast(failureText(result.failure), 'error');
    toast(`Key ${key.name} revoked`);
    void reload();
  };

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast('Key copied');
    } catch {
      toast('Could not copy: select the key and copy it', 'error');
    }
  };

  const columns: Column<ApiKey>[] = [
    { header: 'Name', rowHeader: true, cell: (k) => k.name },
    { header: 'Starts with', cell: (k) => <code>{k.prefix}…</code> },
    { header: 'Scopes', cell: (k) => scopesText(k.scopes) },
    { header: 'Created', cell: (k) => shortDate(k.createdAt) },
    {
      header: 'Actions',
      cell: (k) => (
        <Button variant="ghost" class="btn-danger-ghost" onClick={() => setRevoking(k)}>
          Revoke {k.name}
        </Button>
      ),
    },
  ];

  return (
    <section class="page">
      <header class="page-header">
        <h1>API keys</h1>
      </header>
      <p class="field-hint">
        Keys for the admin API and this console. A key is shown once, when it is created; only its
        first characters are kept in view.
      </p>
      {loadFailure && <Alert>Could not load keys: {failureText(loadFailure)}</Alert>}
      <div class="page-actions">
        <Button
          variant="primary"
          onClick={() => {
            setFailure(null);
            setCreating({ name: '', scopes: ['read'] });
          }}
        >
          New API key
        </Button>
      </div>
      {!keys && !loadFailure && <p role="status">Loading keys…</p>}
      {keys && (
        <Table
          caption="API keys"
          captionHidden
          columns={columns}
          rows={keys}
          rowKey={(k) => k.id}
          empty="No key yet besides the bootstrap key."
        />
      )}
      <ItemDialog
        open={creating !== null}
        title="New API key"
        saveLabel="Create key"
        saving={saving}
        failure={failure}
        onSave={() => void create()}
        onClose={() => setCreating(null)}
      >
        {creating && (
          <>
            <TextField
              label="Name"
              hint="Who or what uses it, such as CI deploys"
              value={creating.name}
              onValue={(name) => setCreating({ ...creating, name })}
              error={failure ? fieldError(failure.fields, 'name') : undefined}
              maxLength={100}
            />
            <fieldset>
              <legend>Scopes</legend>
              {SCOPE_CHOICES.map((c) => (
                <Check
                  key={c.scope}
                  id={`key-scope-${c.scope}`}
                  label={c.label}
                  hint={c.hint}
                  checked={creating.scopes.includes(c.scope)}
                  onChange={(on) =>
                    setCreating({ ...creating, scopes: toggleScope(creating.scopes, c.scope, on) })
                  }
                />
              ))}
              {failure && fieldError(failure.fields, 'scopes') && (
                <p class="field-error" role="alert">
                  {fieldError(failure.fields, 'scopes')}
                </p>
              )}
            </fieldset>
          </>
        )}
      </ItemDialog>
      <Dialog
        open={secret !== null}
        title="Your new API key"
        onClose={() => setSecret(null)}
        actions={
          <>
            <Button onClick={() => secret && void copy(secret.key)}>Copy the key</Button>
            <Button variant="primary" onClick={() => setSecret(null)}>
              Done
            </Button>
          </>
        }
      >
        <p>Store it now: it is not shown again. Anyone holding it can use the API.</p>
        <Field label={`Key ${secret?.name ?? ''}`}>
          {(c) => <input {...c} type="text" readOnly value={secret?.key ?? ''} />}
        </Field>
      </Dialog>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        text={`${revoking?.name ?? 'The key'} stops working at once: requests with it are refused and live views it opened are closed. This cannot be undone.`}
        confirmLabel="Revoke key"
        onConfirm={() => void revoke()}
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}
