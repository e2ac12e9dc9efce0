/**
 * The questions visitors asked that the knowledge could not answer, most asked first: the site
 * owner's list of articles to write. Each offers to start an article titled after it.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/confirm.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert, toast } from '../ui/toast.tsx';
import { shortDate } from './access-model.ts';

type Question = components['schemas']['UnansweredQuestion'];

/** Shown at most: the list is a to-do list, not an archive. */
const SHOWN = 20;

export function UnansweredQuestions({
  pilotId,
  onWrite,
}: {
  pilotId: string;
  /** Opens a new article for the question. */
  onWrite: (question: string) => void;
}) {
  const api = useApi();
  const [rows, setRows] = useState<Question[] | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [confirm, setConfirm] = useState(false);
  const path = { pilotId };
  const reload = useCallback(async () => {
    const result = await unwrap(
      api.GET('/pilots/{pilotId}/unanswered-questions', {
        params: { path: { pilotId }, query: { limit: SHOWN } },
      }),
    );
    if (result.ok) setRows(result.data.items);
    else setFailure(result.failure);
  }, [api, pilotId]);
  useEffect(() => void reload(), [reload]);
  const clear = async () => {
    setConfirm(false);
    const result = await unwrap(
      api.DELETE('/pilots/{pilotId}/unanswered-questions', { params: { path } }),
    );
    if (!result.ok) return toast(failureText(result.failure), 'error');
    toast('Unanswered questions cleared');
    void reload();
  };
  const columns: Column<Question>[] = [
    { header: 'Question', rowHeader: true, cell: (q) => q.question },
    { header: 'Asked', cell: (q) => `${q.count}×` },
    { header: 'Last asked', cell: (q) => shortDate(q.lastAskedAt) },
    {
      header: 'Actions',
      cell: (q) => (
        <Button variant="ghost" onClick={() => onWrite(q.question)}>
          Write an article for “{q.question}”
        </Button>
      ),
    },
  ];
  return (
    <section class="try-box" aria-labelledby="unanswered-title">
      <h2 id="unanswered-title">Questions it could not answer</h2>
      {failure && <Alert>Could not load them: {failureText(failure)}</Alert>}
      {rows && (
        <Table
          caption="Unanswered questions"
          captionHidden
          columns={columns}
          rows={rows}
          rowKey={(q) => q.id}
          empty="None: every question asked so far found an answer."
        />
      )}
      {rows && rows.length > 0 && <Button onClick={() => setConfirm(true)}>Clear the list…</Button>}
      <ConfirmDialog
        open={confirm}
        title="Clear the unanswered questions?"
        text="The list starts empty again; questions asked from now on are counted anew."
        confirmLabel="Clear the list"
        onConfirm={() => void clear()}
        onClose={() => setConfirm(false)}
      />
    </section>
  );
}
