/**
 * One run of a flow: its step timeline (node, time, version, status, duration, choice, error)
 * beside the conversation's transcript; unenroll and retry, each saying what it will do
 * before it happens.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { formatDuration, formatTime } from '../ops/format.ts';
import { type RunStatus, retryExplanation, UNENROLL_EXPLANATION } from '../ops/run-filters.ts';
import { RunPath } from '../ops/run-path.tsx';
import { type MessageView, Transcript } from '../ops/transcript.tsx';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert, toast } from '../ui/toast.tsx';

type Detail = components['schemas']['EnrollmentDetail'];
type Step = components['schemas']['EnrollmentStep'];

export function RunPage({ enrollmentId }: { enrollmentId: string }) {
  const api = useApi();
  const [run, setRun] = useState<Detail | null>(null);
  const [messages, setMessages] = useState<MessageView[] | null>(null);
  const [pageUrl, setPageUrl] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [confirm, setConfirm] = useState<'unenroll' | 'retry' | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const result = await unwrap(
      api.GET('/enrollments/{enrollmentId}', { params: { path: { enrollmentId } } }),
    );
    if (!result.ok) return setFailure(result.failure);
    setRun(result.data);
    const chat = await unwrap(
      api.GET('/conversations/{conversationId}', {
        params: { path: { conversationId: result.data.conversationId } },
      }),
    );
    setMessages(chat.ok ? chat.data.messages : []);
    setPageUrl(chat.ok ? chat.data.pageUrl : null);
  }, [api, enrollmentId]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async () => {
    if (!confirm) return;
    setBusy(true);
    const path = { enrollmentId };
    const result =
      confirm === 'unenroll'
        ? await unwrap(api.POST('/enrollments/{enrollmentId}/unenroll', { params: { path } }))
        : await unwrap(api.POST('/enrollments/{enrollmentId}/retry', { params: { path } }));
    setBusy(false);
    setConfirm(null);
    if (!result.ok) return toast(failureText(result.failure), 'error');
    if (confirm === 'unenroll')
      toast(
        (result.data as { cancelled: boolean }).cancelled
          ? 'Run unenrolled'
          : 'The run had already ended',
      );
    else {
      const retried = result.data as { runId: string; resumed: boolean };
      toast(
        retried.resumed
          ? 'The run continues from its failed step'
          : `New run ${retried.runId} started`,
      );
    }
    await load();
  };

  const columns: Column<Step>[] = [
    { header: 'Step', class: 'num', cell: (s) => s.seq },
    { header: 'Node', rowHeader: true, cell: (s) => `${s.nodeId} (${s.nodeType})` },
    { header: 'Time', cell: (s) => formatTime(s.at) },
    { header: 'Version', class: 'num', cell: (s) => s.version },
    { header: 'Status', cell: (s) => s.status },
    { header: 'Duration', cell: (s) => formatDuration(s.durationMs) },
    { header: 'Chosen', cell: (s) => s.choice ?? s.port ?? '—' },
    { header: 'Error', cell: (s) => s.error ?? '—' },
  ];

  if (failure)
    return (
      <section class="page">
        <Alert>Could not load the run: {failureText(failure)}</Alert>
      </section>
    );
  if (!run)
    return (
      <section class="page">
        <p role="status">Loading the run…</p>
      </section>
    );
  const status = run.status as RunStatus;
  return (
    <section class="page">
      <p>
        <a href={`/admin/runs?flowId=${encodeURIComponent(run.flowId)}`}>← Runs of this flow</a>
      </p>
      <header class="page-header">
        <h1>Run {run.id}</h1>
        <div class="page-actions">
          <Button onClick={() => setConfirm('retry')}>Retry…</Button>
          <Button
            variant="danger"
            onClick={() => setConfirm('unenroll')}
            disabled={status !== 'waiting'}
          >
            Unenroll…
          </Button>
        </div>
      </header>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          {run.status}
          {run.handedOver ? ' (handed over)' : ''}
        </dd>
        <dt>Flow version</dt>
        <dd>{run.version}</dd>
        <dt>Visitor or contact</dt>
        <dd>{run.subject}</dd>
        <dt>Conversation</dt>
        <dd>
          <a href={`/admin/inbox/${encodeURIComponent(run.conversationId)}`}>
            {run.conversationId}
          </a>
        </dd>
        <dt>Triggered</dt>
        <dd>{formatTime(run.triggeredAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(run.endedAt)}</dd>
        {run.error && (
          <>
            <dt>Error</dt>
            <dd>{run.error}</dd>
          </>
        )}
      </dl>
      {messages && <RunPath run={run} messages={messages} pageUrl={pageUrl} />}
      <div class="run-columns">
        {/* The scrolling box is this focusable region, so a keyboard can scroll a wide timeline. */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1) */}
        <section class="run-steps" tabIndex={0} aria-label="Step timeline (scrolls)">
          {run.stepCount > run.steps.length && (
            <p>
              The first {run.steps.length.toLocaleString('en')} of{' '}
              {run.stepCount.toLocaleString('en')} steps are shown.
            </p>
          )}
          <Table
            caption="Step timeline"
            columns={columns}
            rows={run.steps}
            rowKey={(s) => String(s.seq)}
            empty="No step recorded."
          />
        </section>
        <div>
          <h2>Transcript</h2>
          {messages ? (
            <Transcript messages={messages} label="Transcript" />
          ) : (
            <p role="status">Loading the transcript…</p>
          )}
        </div>
      </div>
      <Dialog
        open={confirm !== null}
        title={confirm === 'retry' ? 'Retry this run?' : 'Unenroll this run?'}
        onClose={() => setConfirm(null)}
        describedBy="run-action-text"
        actions={
          <>
            <Button onClick={() => setConfirm(null)}>Cancel</Button>
            <Button
              variant={confirm === 'unenroll' ? 'danger' : 'primary'}
              onClick={() => void act()}
              disabled={busy}
            >
              {confirm === 'retry' ? 'Retry the run' : 'Unenroll the run'}
            </Button>
          </>
        }
      >
        <p id="run-action-text">
          {confirm === 'retry' ? retryExplanation(status, run.nodeId) : UNENROLL_EXPLANATION}
        </p>
      </Dialog>
    </section>
  );
}
