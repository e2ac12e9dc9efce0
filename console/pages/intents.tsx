/**
 * A pilot's intents: list, create, edit and delete them (training phrases one per line, the
 * entities they use), and a "try a sentence" box that shows what the trained model detects.
 */
import { useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { failureText } from '../api/errors.ts';
import { fieldError } from '../ops/pilot-form.ts';
import {
  classifyVerdict,
  emptyIntentForm,
  type IntentForm,
  intentBody,
  intentFormOf,
  intentProblems,
  phrasesOf,
} from '../settings/intent-model.ts';
import { Check, ItemDialog } from '../settings/item-dialog.tsx';
import { PilotScope } from '../settings/pilot-scope.tsx';
import { percent, textField, textList } from '../settings/text.ts';
import { localFailure, useItemEditor } from '../settings/use-item-editor.ts';
import { type PilotItem, usePilotItems } from '../settings/use-pilot-items.ts';
import { useProbe } from '../settings/use-probe.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/confirm.tsx';
import { Field, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

type Classified = components['schemas']['ClassifySentenceResult'];
const SYSTEM_ENTITIES = ['email', 'phone', 'number', 'datetime', 'url'];

export function IntentsPage({ pilotId }: { pilotId?: string }) {
  return (
    <PilotScope page="intents" pilotId={pilotId}>
      {(id) => <Intents pilotId={id} />}
    </PilotScope>
  );
}

function Intents({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const intents = usePilotItems(api, 'intents', pilotId);
  const entities = usePilotItems(api, 'entities', pilotId);
  const editor = useItemEditor<PilotItem, IntentForm>({
    empty: emptyIntentForm,
    formOf: intentFormOf,
    what: 'Intent',
    save: async (id, form) => {
      const problems = intentProblems(form);
      if (problems.name) return { ok: false, failure: localFailure('name', problems.name) };
      if (problems.phrases)
        return { ok: false, failure: localFailure('trainingPhrases', problems.phrases) };
      const body = intentBody(form);
      return id ? intents.replace(id, body) : intents.create(body);
    },
    remove: intents.remove,
    changed: () => void intents.reload(),
  });
  const entityNames = [
    ...(entities.items ?? []).map((e) => textField(e, 'name')),
    ...SYSTEM_ENTITIES,
  ];

  const columns: Column<PilotItem>[] = [
    { header: 'Intent', rowHeader: true, cell: (row) => textField(row, 'name') },
    {
      header: 'Training phrases',
      cell: (row) => {
        const phrases = textList(row, 'trainingPhrases');
        return `${phrases.length}: ${phrases.slice(0, 2).join(' · ')}${phrases.length > 2 ? ' …' : ''}`;
      },
    },
    { header: 'Entities', cell: (row) => textList(row, 'entities').join(', ') || '—' },
    {
      header: 'Actions',
      cell: (row) => (
        <div class="row-actions">
          <Button variant="ghost" onClick={() => editor.openEdit(row)}>
            Edit {textField(row, 'name')}
          </Button>
          <Button variant="ghost" class="btn-danger-ghost" onClick={() => editor.askDelete(row)}>
            Delete {textField(row, 'name')}
          </Button>
        </div>
      ),
    },
  ];

  const form = editor.editing?.form;
  const err = (path: string) =>
    editor.failure ? fieldError(editor.failure.fields, path) : undefined;
  return (
    <>
      {intents.failure && <Alert>Could not load intents: {failureText(intents.failure)}</Alert>}
      <div class="page-actions">
        <Button variant="primary" onClick={() => editor.openNew()}>
          New intent
        </Button>
      </div>
      {!intents.items && !intents.failure && <p role="status">Loading intents…</p>}
      {intents.items && (
        <Table
          caption="Intents"
          captionHidden
          columns={columns}
          rows={intents.items}
          rowKey={(row) => row.id}
          empty="No intent yet: add one with at least 5 training phrases."
        />
      )}
      <TrySentence pilotId={pilotId} />
      <ItemDialog
        open={form !== undefined}
        title={editor.editing?.id ? 'Edit intent' : 'New intent'}
        saveLabel="Save intent"
        saving={editor.saving}
        failure={editor.failure}
        onSave={() => void editor.save()}
        onClose={editor.close}
      >
        {form && (
          <>
            <TextField
              label="Name"
              hint="Letters, digits and underscores, such as refund_request; flows trigger on it"
              value={form.name}
              onValue={(name) => editor.setForm({ ...form, name })}
              error={err('name')}
              maxLength={64}
            />
            <TextField
              label="Description"
              value={form.description}
              onValue={(description) => editor.setForm({ ...form, description })}
              error={err('description')}
              maxLength={1000}
            />
            <Field
              label="Training phrases"
              hint={`One per line, at least 5: ways a visitor says it (${phrasesOf(form).length} so far)`}
              error={err('trainingPhrases')}
            >
              {(c) => (
                <textarea
                  {...c}
                  rows={7}
                  value={form.phrases}
                  onInput={(e) => editor.setForm({ ...form, phrases: e.currentTarget.value })}
                />
              )}
            </Field>
            <fieldset>
              <legend>Entities this intent uses</legend>
              {entityNames.map((name) => (
                <Check
                  key={name}
                  id={`intent-entity-${name}`}
                  label={name}
                  checked={form.entities.includes(name)}
                  onChange={(on) =>
                    editor.setForm({
                      ...form,
                      entities: on
                        ? [...form.entities, name]
                        : form.entities.filter((n) => n !== name),
                    })
                  }
                />
              ))}
            </fieldset>
          </>
        )}
      </ItemDialog>
      <ConfirmDialog
        open={editor.deleting !== null}
        title="Delete this intent?"
        text={`Flows triggered by ${editor.deleting ? textField(editor.deleting, 'name') : 'it'} stop matching it, and the model is trained again without it.`}
        confirmLabel="Delete intent"
        onConfirm={() => void editor.confirmDelete()}
        onClose={editor.cancelDelete}
      />
    </>
  );
}

/** Sends a sentence to the trained model and shows the intent, confidence and entities. */
function TrySentence({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const [text, setText] = useState('');
  const { result, failure, busy, run } = useProbe<Classified>(() =>
    api.POST('/pilots/{pilotId}/classify', { params: { path: { pilotId } }, body: { text } }),
  );
  return (
    <section class="try-box" aria-labelledby="try-title">
      <h2 id="try-title">Try a sentence</h2>
      <form
        noValidate
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <TextField
          label="Sentence"
          hint="What a visitor might type"
          value={text}
          onValue={setText}
          maxLength={2000}
          error={failure ? fieldError(failure.fields, 'text') : undefined}
        />
        <Button variant="primary" type="submit" disabled={busy || !text.trim()}>
          Detect intent
        </Button>
      </form>
      {failure && !failure.fields.text && <Alert>{failureText(failure)}</Alert>}
      <div role="status" aria-live="polite">
        {result && (
          <dl class="facts">
            <dt>Intent</dt>
            <dd>{result.intent ?? 'None'}</dd>
            <dt>Confidence</dt>
            <dd>{percent(result.confidence)}</dd>
            <dt>Entities</dt>
            <dd>
              {result.entities.length === 0
                ? 'None'
                : result.entities.map((e) => `${e.name} = ${e.value} (“${e.text}”)`).join('; ')}
            </dd>
            <dt>Verdict</dt>
            <dd>{classifyVerdict(result)}</dd>
          </dl>
        )}
      </div>
    </section>
  );
}
