/**
 * A pilot's entities (list values with synonyms, or an RE2 pattern) and its global variables
 * (`pilot.<name>` in every flow): list, create, edit, delete.
 */
import { useApi } from '../api/context.ts';
import { failureText } from '../api/errors.ts';
import { fieldError } from '../ops/pilot-form.ts';
import {
  type EntityForm,
  emptyEntityForm,
  emptyVariableForm,
  entityBody,
  entityFormOf,
  entitySummary,
  VARIABLE_TYPES,
  type VariableForm,
  variableBody,
  variableFormOf,
  variableText,
} from '../settings/entity-model.ts';
import { ItemDialog } from '../settings/item-dialog.tsx';
import { PilotScope } from '../settings/pilot-scope.tsx';
import { textField } from '../settings/text.ts';
import { localFailure, useItemEditor } from '../settings/use-item-editor.ts';
import { type PilotItem, usePilotItems } from '../settings/use-pilot-items.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/confirm.tsx';
import { Field, SelectField, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

export function EntitiesPage({ pilotId }: { pilotId?: string }) {
  return (
    <PilotScope page="entities" pilotId={pilotId}>
      {(id) => (
        <>
          <Entities pilotId={id} />
          <Variables pilotId={id} />
        </>
      )}
    </PilotScope>
  );
}

function rowActions(name: string, edit: () => void, remove: () => void) {
  return (
    <div class="row-actions">
      <Button variant="ghost" onClick={edit}>
        Edit {name}
      </Button>
      <Button variant="ghost" class="btn-danger-ghost" onClick={remove}>
        Delete {name}
      </Button>
    </div>
  );
}

function Entities({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const entities = usePilotItems(api, 'entities', pilotId);
  const editor = useItemEditor<PilotItem, EntityForm>({
    empty: emptyEntityForm,
    formOf: entityFormOf,
    what: 'Entity',
    save: (id, form) =>
      id ? entities.replace(id, entityBody(form)) : entities.create(entityBody(form)),
    remove: entities.remove,
    changed: () => void entities.reload(),
  });
  const columns: Column<PilotItem>[] = [
    { header: 'Entity', rowHeader: true, cell: (row) => textField(row, 'name') },
    { header: 'Kind', cell: (row) => (row.kind === 'regex' ? 'Pattern' : 'List') },
    { header: 'Matches', cell: entitySummary },
    {
      header: 'Actions',
      cell: (row) =>
        rowActions(
          textField(row, 'name'),
          () => editor.openEdit(row),
          () => editor.askDelete(row),
        ),
    },
  ];
  const form = editor.editing?.form;
  const err = (path: string) =>
    editor.failure ? fieldError(editor.failure.fields, path) : undefined;
  return (
    <section aria-labelledby="entities-title">
      <h2 id="entities-title">Entities</h2>
      <p class="field-hint">
        Values found in visitor messages, read by flows as <code>entity.name</code>. Email, phone,
        number, date and URL are always found.
      </p>
      {entities.failure && <Alert>Could not load entities: {failureText(entities.failure)}</Alert>}
      <div class="page-actions">
        <Button variant="primary" onClick={() => editor.openNew()}>
          New entity
        </Button>
      </div>
      {entities.items && (
        <Table
          caption="Entities"
          captionHidden
          columns={columns}
          rows={entities.items}
          rowKey={(row) => row.id}
          empty="No entity of this pilot's own yet."
        />
      )}
      <ItemDialog
        open={form !== undefined}
        title={editor.editing?.id ? 'Edit entity' : 'New entity'}
        saveLabel="Save entity"
        saving={editor.saving}
        failure={editor.failure}
        onSave={() => void editor.save()}
        onClose={editor.close}
      >
        {form && (
          <>
            <TextField
              label="Name"
              value={form.name}
              onValue={(name) => editor.setForm({ ...form, name })}
              error={err('name')}
              maxLength={64}
            />
            <SelectField
              label="Kind"
              value={form.kind}
              onValue={(kind) =>
                editor.setForm({ ...form, kind: kind === 'regex' ? 'regex' : 'list' })
              }
              options={[
                { value: 'list', label: 'List of values with synonyms' },
                { value: 'regex', label: 'Pattern (RE2 regular expression)' },
              ]}
            />
            {form.kind === 'list' ? (
              <Field
                label="Values"
                hint="One per line: value: synonym, synonym (such as pro: professional, premium)"
                error={err('values')}
              >
                {(c) => (
                  <textarea
                    {...c}
                    rows={6}
                    value={form.values}
                    onInput={(e) => editor.setForm({ ...form, values: e.currentTarget.value })}
                  />
                )}
              </Field>
            ) : (
              <TextField
                label="Pattern"
                hint="Case-insensitive; no lookarounds or backreferences"
                value={form.pattern}
                onValue={(pattern) => editor.setForm({ ...form, pattern })}
                error={err('pattern')}
                maxLength={500}
              />
            )}
          </>
        )}
      </ItemDialog>
      <ConfirmDialog
        open={editor.deleting !== null}
        title="Delete this entity?"
        text="Flows reading it get no value any more; intents that use it are trained again."
        confirmLabel="Delete entity"
        onConfirm={() => void editor.confirmDelete()}
        onClose={editor.cancelDelete}
      />
    </section>
  );
}

function Variables({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const variables = usePilotItems(api, 'variables', pilotId);
  const editor = useItemEditor<PilotItem, VariableForm>({
    empty: emptyVariableForm,
    formOf: variableFormOf,
    what: 'Variable',
    save: async (id, form) => {
      const built = variableBody(form);
      if (!built.ok) return { ok: false, failure: localFailure('value', built.message) };
      return id ? variables.replace(id, built.body) : variables.create(built.body);
    },
    remove: variables.remove,
    changed: () => void variables.reload(),
  });
  const columns: Column<PilotItem>[] = [
    {
      header: 'Variable',
      rowHeader: true,
      cell: (row) => <code>pilot.{textField(row, 'name')}</code>,
    },
    { header: 'Type', cell: (row) => textField(row, 'type') },
    { header: 'Value', cell: (row) => variableText(row.value) || '—' },
    { header: 'Description', cell: (row) => textField(row, 'description') || '—' },
    {
      header: 'Actions',
      cell: (row) =>
        rowActions(
          textField(row, 'name'),
          () => editor.openEdit(row),
          () => editor.askDelete(row),
        ),
    },
  ];
  const form = editor.editing?.form;
  const err = (path: string) =>
    editor.failure ? fieldError(editor.failure.fields, path) : undefined;
  return (
    <section aria-labelledby="variables-title">
      <h2 id="variables-title">Global variables</h2>
      <p class="field-hint">
        Values every flow of this pilot reads as <code>pilot.name</code> (opening hours, a phone
        number…).
      </p>
      {variables.failure && (
        <Alert>Could not load variables: {failureText(variables.failure)}</Alert>
      )}
      <div class="page-actions">
        <Button variant="primary" onClick={() => editor.openNew()}>
          New variable
        </Button>
      </div>
      {variables.items && (
        <Table
          caption="Global variables"
          captionHidden
          columns={columns}
          rows={variables.items}
          rowKey={(row) => row.id}
          empty="No global variable yet."
        />
      )}
      <ItemDialog
        open={form !== undefined}
        title={editor.editing?.id ? 'Edit variable' : 'New variable'}
        saveLabel="Save variable"
        saving={editor.saving}
        failure={editor.failure}
        onSave={() => void editor.save()}
        onClose={editor.close}
      >
        {form && (
          <>
            <TextField
              label="Name"
              value={form.name}
              onValue={(name) => editor.setForm({ ...form, name })}
              error={err('name')}
              maxLength={64}
            />
            <SelectField
              label="Type"
              value={form.type}
              onValue={(type) =>
                editor.setForm({
                  ...form,
                  type: VARIABLE_TYPES.find((t) => t === type) ?? 'text',
                })
              }
              options={VARIABLE_TYPES.map((t) => ({ value: t, label: t }))}
            />
            <Field
              label="Value"
              hint={form.type === 'list' ? 'One item per line' : 'Empty means no value'}
              error={err('value')}
            >
              {(c) => (
                <textarea
                  {...c}
                  rows={form.type === 'list' ? 5 : 2}
                  value={form.value}
                  onInput={(e) => editor.setForm({ ...form, value: e.currentTarget.value })}
                />
              )}
            </Field>
            <TextField
              label="Description"
              value={form.description}
              onValue={(description) => editor.setForm({ ...form, description })}
              error={err('description')}
              maxLength={500}
            />
          </>
        )}
      </ItemDialog>
      <ConfirmDialog
        open={editor.deleting !== null}
        title="Delete this variable?"
        text="Flows that read it get an empty value from their next step on."
        confirmLabel="Delete variable"
        onConfirm={() => void editor.confirmDelete()}
        onClose={editor.cancelDelete}
      />
    </section>
  );
}
