/**
 * A pilot's knowledge articles (what its AI answers from, each citing its url): list, create,
 * edit, delete; and an "ask a question" box showing the answer a visitor would get, its
 * citations, its confidence against the pilot's threshold, and why it answered or not.
 */
import { useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { failureText } from '../api/errors.ts';
import { safeHref } from '../ops/format.ts';
import { fieldError } from '../ops/pilot-form.ts';
import { ItemDialog } from '../settings/item-dialog.tsx';
import {
  type ArticleForm,
  articleBody,
  articleFormOf,
  askConfidence,
  askHeadline,
  emptyArticleForm,
} from '../settings/knowledge-model.ts';
import { PilotScope } from '../settings/pilot-scope.tsx';
import { textField } from '../settings/text.ts';
import { UnansweredQuestions } from '../settings/unanswered.tsx';
import { useItemEditor } from '../settings/use-item-editor.ts';
import { type PilotItem, usePilotItems } from '../settings/use-pilot-items.ts';
import { useProbe } from '../settings/use-probe.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/confirm.tsx';
import { Field, TextField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';

type AskResult = components['schemas']['AskPilotResult'];

export function KnowledgePage({ pilotId }: { pilotId?: string }) {
  return (
    <PilotScope page="knowledge" pilotId={pilotId}>
      {(id) => <Knowledge pilotId={id} />}
    </PilotScope>
  );
}

function ExternalLink({ url, children }: { url: string; children: string }) {
  const href = safeHref(url);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ) : (
    <span>{children}</span>
  );
}

function Knowledge({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const articles = usePilotItems(api, 'knowledge', pilotId);
  const editor = useItemEditor<PilotItem, ArticleForm>({
    empty: emptyArticleForm,
    formOf: articleFormOf,
    what: 'Article',
    save: (id, form) =>
      id ? articles.replace(id, articleBody(form)) : articles.create(articleBody(form)),
    remove: articles.remove,
    changed: () => void articles.reload(),
  });
  const columns: Column<PilotItem>[] = [
    { header: 'Title', rowHeader: true, cell: (row) => textField(row, 'title') },
    {
      header: 'Link',
      cell: (row) => (
        <ExternalLink url={textField(row, 'url')}>{textField(row, 'url')}</ExternalLink>
      ),
    },
    {
      header: 'Length',
      cell: (row) => `${textField(row, 'body').split(/\s+/).filter(Boolean).length} words`,
    },
    {
      header: 'Actions',
      cell: (row) => (
        <div class="row-actions">
          <Button variant="ghost" onClick={() => editor.openEdit(row)}>
            Edit {textField(row, 'title')}
          </Button>
          <Button variant="ghost" class="btn-danger-ghost" onClick={() => editor.askDelete(row)}>
            Delete {textField(row, 'title')}
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
      {articles.failure && <Alert>Could not load articles: {failureText(articles.failure)}</Alert>}
      <div class="page-actions">
        <Button variant="primary" onClick={() => editor.openNew()}>
          New article
        </Button>
      </div>
      {!articles.items && !articles.failure && <p role="status">Loading articles…</p>}
      {articles.items && (
        <Table
          caption="Knowledge articles"
          captionHidden
          columns={columns}
          rows={articles.items}
          rowKey={(row) => row.id}
          empty="No article yet: the pilot answers only from articles."
        />
      )}
      <AskBox pilotId={pilotId} />
      <UnansweredQuestions
        pilotId={pilotId}
        onWrite={(question) =>
          editor.openNew({ ...emptyArticleForm, title: question.slice(0, 300) })
        }
      />
      <ItemDialog
        open={form !== undefined}
        title={editor.editing?.id ? 'Edit article' : 'New article'}
        saveLabel="Save article"
        saving={editor.saving}
        failure={editor.failure}
        onSave={() => void editor.save()}
        onClose={editor.close}
      >
        {form && (
          <>
            <TextField
              label="Title"
              value={form.title}
              onValue={(title) => editor.setForm({ ...form, title })}
              error={err('title')}
              maxLength={300}
            />
            <TextField
              label="Link"
              type="url"
              hint="The page answers cite, such as https://help.example.com/refunds"
              value={form.url}
              onValue={(url) => editor.setForm({ ...form, url })}
              error={err('url')}
            />
            <Field label="Text" hint="What the pilot may answer from" error={err('body')}>
              {(c) => (
                <textarea
                  {...c}
                  rows={10}
                  maxLength={100_000}
                  value={form.body}
                  onInput={(e) => editor.setForm({ ...form, body: e.currentTarget.value })}
                />
              )}
            </Field>
          </>
        )}
      </ItemDialog>
      <ConfirmDialog
        open={editor.deleting !== null}
        title="Delete this article?"
        text={`The pilot stops answering from ${editor.deleting ? `“${textField(editor.deleting, 'title')}”` : 'it'} at once.`}
        confirmLabel="Delete article"
        onConfirm={() => void editor.confirmDelete()}
        onClose={editor.cancelDelete}
      />
    </>
  );
}

/** Asks the pilot a question the way a visitor would, and shows what they would get. */
function AskBox({ pilotId }: { pilotId: string }) {
  const api = useApi();
  const [question, setQuestion] = useState('');
  const {
    result,
    failure,
    busy,
    run: ask,
  } = useProbe<AskResult>(() =>
    api.POST('/pilots/{pilotId}/ask', { params: { path: { pilotId } }, body: { question } }),
  );
  return (
    <section class="try-box" aria-labelledby="ask-title">
      <h2 id="ask-title">Ask a question</h2>
      <form
        noValidate
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          void ask();
        }}
      >
        <TextField
          label="Question"
          hint="As a visitor would type it"
          value={question}
          onValue={setQuestion}
          maxLength={2000}
          error={failure ? fieldError(failure.fields, 'question') : undefined}
        />
        <Button variant="primary" type="submit" disabled={busy || !question.trim()}>
          Ask the pilot
        </Button>
      </form>
      {failure && !failure.fields.question && <Alert>{failureText(failure)}</Alert>}
      <div role="status" aria-live="polite">
        {result && (
          <article class="answer" aria-label="The visitor's answer">
            <h3>{askHeadline(result)}</h3>
            {result.reply && <p class="answer-text">{result.reply}</p>}
            {result.citations.length > 0 && (
              <>
                <h4>Cited</h4>
                <ul aria-label="Citations">
                  {result.citations.map((c) => (
                    <li key={c.url}>
                      <ExternalLink url={c.url}>{c.title}</ExternalLink>
                    </li>
                  ))}
                </ul>
              </>
            )}
            <p>{askConfidence(result)}</p>
            <p>Why: {result.why}</p>
          </article>
        )}
      </div>
    </section>
  );
}
