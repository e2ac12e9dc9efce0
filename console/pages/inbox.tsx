/**
 * The agent inbox: conversations (handed over, open, closed) newest first with unread markers,
 * updating live; a conversation's transcript as the visitor saw it, its facts and run; reply
 * (ends the running flow, SPEC 3.6), release back to the pilot, close.
 */
import { signal } from '@preact/signals';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import type { components } from '../api/client.ts';
import { useApi } from '../api/context.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { agentId, assigneeOf, chooseAgent } from '../ops/agent-identity.ts';
import { formatTime, shortUrl, waitingFor } from '../ops/format.ts';
import { frameConcerns } from '../ops/live-frames.ts';
import { Transcript } from '../ops/transcript.tsx';
import { followTranscript } from '../ops/transcript-window.ts';
import { useLiveSignals } from '../ops/use-live-signals.ts';
import { usePilots } from '../ops/use-pilots.ts';
import { Button } from '../ui/button.tsx';
import { Field, SelectField } from '../ui/field.tsx';
import { type Column, Table } from '../ui/table.tsx';
import { Alert, toast } from '../ui/toast.tsx';

type Conversation = components['schemas']['Conversation'];
type Detail = components['schemas']['ConversationDetail'];
type View = 'handed_over' | 'mine' | 'open' | 'closed';
type Presence = 'online' | 'away' | 'offline';

const VIEWS: readonly { value: View; label: string }[] = [
  { value: 'handed_over', label: 'Handed over' },
  { value: 'mine', label: 'Assigned to me' },
  { value: 'open', label: 'Open' },
  { value: 'closed', label: 'Closed' },
];
const PAGE = 50;
/**
 * Live frames are coalesced: the list is read again at most this often, and the open
 * conversation's new messages at most every TRANSCRIPT_REFRESH_MS, only on frames about it. Every
 * read counts against the key's 600 a minute, and a busy site must not lock agents out (a hostile
 * review did, with three tabs open and one visitor typing).
 */
const LIST_REFRESH_MS = 2_000;
const TRANSCRIPT_REFRESH_MS = 1_000;

/** When this tab last looked at each conversation (unread = a message since). Per tab, bounded. */
const seen = signal<Record<string, number>>({});
function markSeen(id: string, at: number) {
  const entries = Object.entries({ ...seen.value, [id]: at }).slice(-500);
  seen.value = Object.fromEntries(entries);
}
const isUnread = (c: Conversation) => (c.lastMessageAt ?? 0) > (seen.value[c.id] ?? 0);

export function InboxPage({ conversationId }: { conversationId?: string }) {
  const api = useApi();
  const { pilots } = usePilots(api);
  const [view, setView] = useState<View>('handed_over');
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [stamp, setStamp] = useState(0);

  const me = agentId.value;
  // The view's filter is the API's, so a handed-over visitor is listed however many newer
  // conversations the pilot has (filtering one page here lost them past the first 50).
  const query = useCallback(
    (cursor?: string) => ({
      status: view === 'closed' ? ('closed' as const) : ('open' as const),
      ...(view === 'handed_over' ? { mode: 'agent' as const } : {}),
      ...(view === 'mine' ? { assignee: me ? assigneeOf(me) : 'user:' } : {}),
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
    }),
    [view, me],
  );
  /** The first page again (a live refresh keeps what "Load more" added only until then). */
  const load = useCallback(async () => {
    const result = await unwrap(api.GET('/conversations', { params: { query: query() } }));
    if (!result.ok) return setFailure(result.failure);
    setFailure(null);
    setItems(result.data.items);
    setNext(result.data.nextCursor);
  }, [api, query]);
  const more = async () => {
    if (!next) return;
    const result = await unwrap(api.GET('/conversations', { params: { query: query(next) } }));
    if (!result.ok) return toast(failureText(result.failure), 'error');
    setItems((have) => [...(have ?? []), ...result.data.items]);
    setNext(result.data.nextCursor);
  };
  useEffect(() => {
    void load();
  }, [load]);
  const listTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const transcriptTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      clearTimeout(listTimer.current ?? undefined);
      clearTimeout(transcriptTimer.current ?? undefined);
    },
    [],
  );
  useLiveSignals(
    api,
    (pilots ?? []).map((p) => p.id),
    (frame) => {
      if (!listTimer.current)
        listTimer.current = setTimeout(() => {
          listTimer.current = null;
          void load();
        }, LIST_REFRESH_MS);
      if (conversationId && frameConcerns(frame, conversationId) && !transcriptTimer.current)
        transcriptTimer.current = setTimeout(() => {
          transcriptTimer.current = null;
          setStamp((s) => s + 1);
        }, TRANSCRIPT_REFRESH_MS);
    },
  );

  const handedOverUnread = (items ?? []).filter((c) => c.mode === 'agent' && isUnread(c)).length;
  useEffect(() => {
    const base = 'edgepilot admin';
    document.title = handedOverUnread > 0 ? `(${handedOverUnread}) Inbox · ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [handedOverUnread]);

  const pilotName = (id: string) => pilots?.find((p) => p.id === id)?.name ?? id;
  const columns: Column<Conversation>[] = [
    {
      header: 'Conversation',
      rowHeader: true,
      cell: (c) => (
        <a
          href={`/admin/inbox/${encodeURIComponent(c.id)}`}
          aria-current={c.id === conversationId ? 'page' : undefined}
        >
          {isUnread(c) && <span class="badge badge-unread">Unread</span>} {c.visitorId}
        </a>
      ),
    },
    { header: 'Pilot', cell: (c) => pilotName(c.pilotId) },
    {
      header: 'State',
      cell: (c) =>
        c.status === 'closed' ? 'Closed' : c.mode === 'agent' ? 'Handed over' : 'With the pilot',
    },
    { header: 'Last message', cell: (c) => c.lastMessage ?? '—' },
    { header: 'When', cell: (c) => formatTime(c.lastMessageAt) },
  ];

  return (
    <section class="page">
      <header class="page-header">
        <h1>Inbox</h1>
      </header>
      <div class="toolbar">
        <AgentBar />
      </div>
      <search class="toolbar" aria-label="Filter conversations">
        <SelectField
          label="Show"
          value={view}
          onValue={(v) => setView(v as View)}
          options={VIEWS}
        />
      </search>
      {failure && <Alert>Could not load conversations: {failureText(failure)}</Alert>}
      {!items && !failure && <p role="status">Loading conversations…</p>}
      {/* Two columns only while a conversation is open: the list alone takes the width. */}
      <div class={conversationId ? 'inbox inbox-open' : 'inbox'}>
        {items && (
          <div>
            <Table
              caption="Conversations"
              captionHidden
              columns={columns}
              rows={items}
              rowKey={(c) => c.id}
              empty="No conversation here."
            />
            {next && <Button onClick={() => void more()}>Load more conversations</Button>}
          </div>
        )}
        {conversationId && (
          <ConversationPanel
            key={conversationId}
            id={conversationId}
            stamp={stamp}
            onChanged={() => void load()}
          />
        )}
      </div>
    </section>
  );
}

function ConversationPanel({
  id,
  stamp,
  onChanged,
}: {
  id: string;
  stamp: number;
  onChanged: () => void;
}) {
  const api = useApi();
  const { route } = useLocation();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [reply, setReply] = useState('');
  const [replyError, setReplyError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  // The transcript drawn so far, and one read at a time (a frame during a read asks again after).
  const have = useRef<Detail | null>(null);
  const reading = useRef<'idle' | 'busy' | 'again'>('idle');
  const read = useCallback(
    async (after?: number) => {
      const query = after === undefined ? {} : { after };
      const result = await unwrap(
        api.GET('/conversations/{conversationId}', {
          params: { path: { conversationId: id }, query },
        }),
      );
      if (!result.ok) return setFailure(result.failure);
      const messages = followTranscript(have.current, result.data, after);
      // Started again since our copy, or the new messages do not follow on: read it whole.
      if (!messages) return read();
      const next = {
        ...result.data,
        lastMessage: result.data.lastMessage ?? have.current?.lastMessage,
        messages,
      };
      have.current = next;
      setFailure(null);
      setDetail(next);
      markSeen(id, next.lastMessageAt ?? Date.now());
    },
    [api, id],
  );
  /** Reads what the view has not drawn yet (the whole transcript the first time). */
  const load = useCallback(async () => {
    if (reading.current !== 'idle') {
      reading.current = 'again';
      return;
    }
    try {
      do {
        reading.current = 'busy';
        await read(have.current?.messages.at(-1)?.seq ?? (have.current ? 0 : undefined));
      } while ((reading.current as string) === 'again');
    } finally {
      reading.current = 'idle';
    }
  }, [read]);
  // `stamp` changes on live frames about this conversation (at most once a second): the
  // transcript follows the visitor, reading only the messages it has not drawn (a long
  // conversation is not fetched again on every frame).
  useEffect(() => {
    void load();
  }, [load, stamp]);

  const send = async () => {
    if (!reply.trim()) return setReplyError('Write a reply first');
    setBusy(true);
    const result = await unwrap(
      api.POST('/conversations/{conversationId}/messages', {
        params: { path: { conversationId: id } },
        body: { text: reply, ...(agentId.value ? { userId: agentId.value } : {}) },
      }),
    );
    setBusy(false);
    if (!result.ok) return setReplyError(failureText(result.failure));
    setReply('');
    setReplyError(undefined);
    toast('Reply sent');
    await load();
    onChanged();
  };

  const act = async (action: 'release' | 'close') => {
    setBusy(true);
    const path = { conversationId: id };
    const result = await unwrap(
      action === 'release'
        ? api.POST('/conversations/{conversationId}/release', { params: { path } })
        : api.POST('/conversations/{conversationId}/close', { params: { path } }),
    );
    setBusy(false);
    if (!result.ok) return toast(failureText(result.failure), 'error');
    toast(action === 'release' ? 'Handed back to the pilot' : 'Conversation closed');
    await load();
    onChanged();
  };

  if (failure)
    return (
      <article class="panel" aria-label="Conversation">
        <Alert>Could not load the conversation: {failureText(failure)}</Alert>
        <Button onClick={() => route('/admin/inbox')}>Back to the inbox</Button>
      </article>
    );
  if (!detail) return <p role="status">Loading the conversation…</p>;
  const closed = detail.status === 'closed';
  return (
    <article class="panel" aria-labelledby="conversation-title">
      <h2 id="conversation-title">Conversation with {detail.visitorId}</h2>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          {closed
            ? 'Closed'
            : detail.mode === 'agent'
              ? 'Handed over to an agent'
              : 'With the pilot'}
        </dd>
        <dt>Page</dt>
        <dd>{shortUrl(detail.pageUrl)}</dd>
        <dt>Contact</dt>
        <dd>{detail.userId ?? 'Not identified'}</dd>
        <dt>Assignee</dt>
        <dd>{detail.assignee ?? 'Nobody'}</dd>
        <dt>Flow</dt>
        <dd>
          {detail.run
            ? `${detail.run.flowId} v${detail.run.version}, at ${detail.run.nodeId ?? '—'} (waiting ${waitingFor(detail.run.waitingSince, Date.now())})`
            : 'No running flow'}
        </dd>
      </dl>
      <h3>Transcript</h3>
      <Transcript messages={detail.messages} label="Transcript" />
      {!closed && (
        <form
          class="reply"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <Field
            label="Reply to the visitor"
            hint="Sending ends the running flow; the pilot stays quiet until you hand the conversation back."
            error={replyError}
          >
            {(control) => (
              <textarea
                {...control}
                rows={3}
                maxLength={4000}
                value={reply}
                onInput={(e) => setReply(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
                }}
              />
            )}
          </Field>
          <div class="page-actions">
            <Button variant="primary" type="submit" disabled={busy}>
              Send reply
            </Button>
            <Button
              onClick={() => void act('release')}
              disabled={busy || detail.mode !== 'agent'}
              aria-describedby="release-hint"
            >
              Hand back to the pilot
            </Button>
            <Button onClick={() => void act('close')} disabled={busy} aria-describedby="close-hint">
              Close conversation
            </Button>
          </div>
          <p id="release-hint" class="field-hint">
            Hand back: the pilot answers the visitor's next message again.
          </p>
          <p id="close-hint" class="field-hint">
            Close: the conversation ends for the visitor; its transcript stays here.
          </p>
        </form>
      )}
    </article>
  );
}

/** Who this tab answers as, and their presence (online / away / offline). */
function AgentBar() {
  const api = useApi();
  const [users, setUsers] = useState<{ id: string; name: string }[]>([]);
  const [presence, setPresence] = useState<Presence | ''>('');
  useEffect(() => {
    void unwrap(api.GET('/users', { params: { query: { limit: 100 } } })).then((r) => {
      if (r.ok) setUsers(r.data.items.map((u) => ({ id: u.id, name: String(u.name) })));
    });
  }, [api]);
  const me = agentId.value;
  const setStatus = async (status: Presence) => {
    if (!me) return;
    const result = await unwrap(
      api.PUT('/users/{userId}/presence', { params: { path: { userId: me } }, body: { status } }),
    );
    if (!result.ok) return toast(failureText(result.failure), 'error');
    setPresence(status);
    toast(`Presence: ${status}`);
  };
  return (
    <>
      <SelectField
        label="Answer as"
        hint="Replies are signed and assigned to this team member"
        value={me}
        onValue={(id) => {
          chooseAgent(id);
          setPresence('');
        }}
        options={[
          { value: '', label: 'Nobody in particular' },
          ...users.map((u) => ({ value: u.id, label: u.name })),
        ]}
      />
      <SelectField
        label="My presence"
        hint="Availability settings and round-robin read it"
        value={presence}
        disabled={!me}
        onValue={(v) => v && void setStatus(v as Presence)}
        options={[
          { value: '', label: 'Not set here' },
          { value: 'online', label: 'Online' },
          { value: 'away', label: 'Away' },
          { value: 'offline', label: 'Offline' },
        ]}
      />
    </>
  );
}
