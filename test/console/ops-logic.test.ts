import { describe, expect, it } from 'vitest';
import { dateInputToEpoch, formatDuration, safeHref, shortUrl } from '../../console/ops/format.ts';
import { barRows, choiceRows, compareRows, type Insights } from '../../console/ops/insight-rows.ts';
import {
  activeRows,
  applyLiveFrame,
  frameConcerns,
  isLagging,
  LAGGING_NOTE_MS,
  type LiveRow,
  MAX_FRAME_CHARS,
  MAX_LIVE_ROWS,
  parseLiveFrame,
  reconnectDelay,
  waitingByNode,
} from '../../console/ops/live-frames.ts';
import { embedSnippet, fieldError, patchOf, readableOn } from '../../console/ops/pilot-form.ts';
import { emptyFilters, retryExplanation, runQuery } from '../../console/ops/run-filters.ts';
import {
  appendTranscript,
  followTranscript,
  TRANSCRIPT_KEPT,
  TRANSCRIPT_SHOWN,
  TRANSCRIPT_STEP,
  transcriptWindow,
} from '../../console/ops/transcript-window.ts';

const row = (
  id: string,
  seq: number,
  updatedAt: number,
  extra: Partial<LiveRow> = {},
): LiveRow => ({
  conversationId: id,
  visitorId: `v_${id}`,
  userId: null,
  status: 'open',
  mode: 'pilot',
  pageUrl: null,
  flowId: null,
  runId: null,
  nodeId: null,
  waitingSince: null,
  lastMessage: null,
  lastMessageAt: null,
  updatedAt,
  seq,
  ...extra,
});

describe('live frames', () => {
  it('replaces the list on a snapshot and merges changes newest-first, ignoring stale sequences', () => {
    const snap = applyLiveFrame([row('x', 5, 1)], { type: 'snapshot', items: [row('a', 1, 10)] });
    expect(snap.map((r) => r.conversationId)).toEqual(['a']);
    const changed = applyLiveFrame(snap, {
      type: 'changes',
      items: [row('b', 1, 20), row('a', 0, 30, { lastMessage: 'stale' })],
    });
    expect(changed.map((r) => r.conversationId)).toEqual(['b', 'a']);
    expect(changed.find((r) => r.conversationId === 'a')?.lastMessage).toBeNull();
  });

  it('parses only well-formed frames, bounded in size and rows', () => {
    expect(parseLiveFrame('pong')).toBeNull();
    expect(parseLiveFrame(JSON.stringify({ type: 'other', items: [] }))).toBeNull();
    expect(parseLiveFrame(JSON.stringify({ type: 'changes', items: [{ seq: 1 }] }))).toBeNull();
    expect(parseLiveFrame(' '.repeat(MAX_FRAME_CHARS + 1))).toBeNull();
    const many = Array.from({ length: MAX_LIVE_ROWS + 50 }, (_, i) => row(`c${i}`, 1, i));
    const parsed = parseLiveFrame(JSON.stringify({ type: 'snapshot', items: many }));
    expect(parsed && 'items' in parsed ? parsed.items : null).toHaveLength(MAX_LIVE_ROWS);
    const big = applyLiveFrame([], { type: 'snapshot', items: many });
    expect(big).toHaveLength(MAX_LIVE_ROWS);
  });

  it("drops an erased visitor's rows on a removed frame, the server's exact frame", () => {
    const rows = [row('kept', 1, 1), row('erased', 1, 2), row('erased-2', 1, 3)];
    // What PilotObject broadcasts after an erase (worker/pilot/pilot-object.ts).
    const frame = parseLiveFrame(
      JSON.stringify({ type: 'removed', conversationIds: ['erased', 'erased-2'] }),
    );
    expect(frame).toEqual({ type: 'removed', conversationIds: ['erased', 'erased-2'] });
    expect(applyLiveFrame(rows, frame!).map((r) => r.conversationId)).toEqual(['kept']);
    expect(parseLiveFrame(JSON.stringify({ type: 'removed', conversationIds: [1] }))).toBeNull();
    expect(parseLiveFrame(JSON.stringify({ type: 'removed' }))).toBeNull();
  });

  it('parses a lagging frame, keeps the rows, and says the view lags for a few seconds after it', () => {
    const frame = parseLiveFrame(JSON.stringify({ type: 'lagging', reason: 'push_rate' }));
    expect(frame).toEqual({ type: 'lagging', reason: 'push_rate' });
    const rows = [row('a', 1, 1)];
    expect(applyLiveFrame(rows, frame!)).toEqual(rows);
    expect(parseLiveFrame(JSON.stringify({ type: 'lagging', reason: 7 }))).toBeNull();
    expect(isLagging(null, 10_000)).toBe(false);
    expect(isLagging(10_000, 10_000 + LAGGING_NOTE_MS - 1)).toBe(true);
    expect(isLagging(10_000, 10_000 + LAGGING_NOTE_MS)).toBe(false);
  });

  it('keeps open conversations and closed ones with a run active', () => {
    const rows = [
      row('open', 1, 1),
      row('closed', 1, 2, { status: 'closed' }),
      row('closed-run', 1, 3, { status: 'closed', runId: 'run_1' }),
    ];
    expect(activeRows(rows).map((r) => r.conversationId)).toEqual(['open', 'closed-run']);
  });

  it('backs off exponentially to 30 s with jitter', () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(0, () => 1)).toBe(1000);
    expect(reconnectDelay(20, () => 1)).toBe(30_000);
    expect(reconnectDelay(20, () => 0)).toBe(15_000);
  });
});

describe('enrollment log filters', () => {
  it('turns the form into a query with an inclusive end date, and names an invalid field', () => {
    const ok = runQuery({
      ...emptyFilters,
      status: 'failed',
      from: '2026-03-01',
      to: '2026-03-01',
      version: '2',
      q: ' conv_1 ',
    });
    expect(ok).toEqual({
      ok: true,
      query: {
        status: 'failed',
        from: new Date(2026, 2, 1).getTime(),
        to: new Date(2026, 2, 2).getTime(),
        version: 2,
        q: 'conv_1',
      },
    });
    expect(runQuery({ ...emptyFilters, version: '1.5' })).toMatchObject({
      ok: false,
      field: 'version',
    });
    expect(runQuery({ ...emptyFilters, from: '2026-03-02', to: '2026-03-01' })).toMatchObject({
      ok: false,
      field: 'to',
    });
    expect(runQuery({ ...emptyFilters, from: 'yesterday' })).toMatchObject({
      ok: false,
      field: 'from',
    });
    expect(runQuery(emptyFilters)).toEqual({ ok: true, query: {} });
  });

  it('says what retry will do for a failed run and for any other', () => {
    expect(retryExplanation('failed', 'hook')).toContain('from the step that failed (hook)');
    expect(retryExplanation('completed', null)).toContain('new run of the published version');
  });
});

describe('insights rows', () => {
  it('sizes bars against the largest value and shares choices within their question', () => {
    expect(
      barRows([
        { key: 'a', label: 'A', value: 4 },
        { key: 'b', label: 'B', value: 1 },
      ]).map((r) => r.percent),
    ).toEqual([100, 25]);
    expect(barRows([{ key: 'a', label: 'A', value: 0 }])[0]?.percent).toBe(0);
    const insights = {
      choices: [
        { nodeId: 'q', choice: 'yes', count: 3 },
        { nodeId: 'q', choice: 'no', count: 1 },
        { nodeId: 'r', choice: 'x', count: 2 },
      ],
    } as Insights;
    expect(choiceRows(insights).map((c) => c.percent)).toEqual([75, 25, 100]);
    const totals = (triggered: number) =>
      ({
        totals: {
          triggered,
          started: 0,
          completed: 0,
          dropped: 0,
          handedOver: 0,
          failed: 0,
          cancelled: 0,
        },
      }) as Insights;
    expect(compareRows(totals(5), totals(2))[0]).toEqual({
      key: 'triggered',
      label: 'Triggered',
      a: 5,
      b: 2,
    });
  });
});

describe('pilot settings form', () => {
  it('builds a PATCH without the secret, one domain and holiday per line', () => {
    const patch = patchOf({
      name: ' Shop ',
      persona: '',
      timezone: 'Europe/Berlin',
      fallbackMessage: 'Hi',
      trustedDomains: 'example.com\n\n *.example.com ',
      identityEnforced: true,
      displayName: '',
      accentColor: '#112233',
      position: 'left',
      weekly: [{ day: 'mon', from: '09:00', to: '17:00' }],
      holidays: '2026-12-25\n',
    });
    expect(patch).toEqual({
      name: 'Shop',
      persona: '',
      timezone: 'Europe/Berlin',
      fallbackMessage: 'Hi',
      trustedDomains: ['example.com', '*.example.com'],
      identityEnforced: true,
      appearance: { accentColor: '#112233', position: 'left' },
      officeHours: {
        weekly: [{ day: 'mon', from: '09:00', to: '17:00' }],
        holidays: ['2026-12-25'],
      },
    });
    expect(Object.keys(patch)).not.toContain('identitySecret');
  });

  it('finds the server error of a field or of any path below it', () => {
    const fields = { 'trustedDomains.1': 'Use a host name', name: 'Required' };
    expect(fieldError(fields, 'trustedDomains')).toBe('Use a host name');
    expect(fieldError(fields, 'timezone')).toBeUndefined();
  });

  it('picks readable text on the accent colour and writes the documented snippet', () => {
    expect(readableOn('#ffff00')).toBe('#000000');
    expect(readableOn('#1d4ed8')).toBe('#ffffff');
    expect(embedSnippet('https://w.example', 'pk_1')).toBe(
      '<script async src="https://w.example/widget.js" data-pilot-key="pk_1"></script>',
    );
  });
});

describe('formatting', () => {
  it('formats durations, dates from date inputs, page URLs, and renders only http(s) links', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(null)).toBe('—');
    expect(dateInputToEpoch('2026-02-30')).toBe(new Date(2026, 1, 30).getTime());
    expect(dateInputToEpoch('not')).toBeUndefined();
    expect(shortUrl('https://shop.example/pricing?utm=x')).toBe('shop.example/pricing');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://a.example/x')).toBe('https://a.example/x');
  });
});

describe('live counts on the canvas', () => {
  it('counts the conversations waiting at each step of this flow only, longest waiting first', () => {
    const rows = [
      row('a', 1, 10, { flowId: 'f', runId: 'r1', nodeId: 'ask', waitingSince: 300 }),
      row('b', 1, 11, { flowId: 'f', runId: 'r2', nodeId: 'ask', waitingSince: 100 }),
      row('c', 1, 12, { flowId: 'f', runId: 'r3', nodeId: 'email', waitingSince: 200 }),
      // Another flow, a conversation without a run, a closed one whose run ended.
      row('d', 1, 13, { flowId: 'g', runId: 'r4', nodeId: 'ask' }),
      row('e', 1, 14, { flowId: 'f', runId: null, nodeId: 'ask' }),
      row('f', 1, 15, { flowId: 'f', runId: null, nodeId: null, status: 'closed' }),
    ];
    const byNode = waitingByNode(rows, 'f');
    expect([...byNode.keys()].sort()).toEqual(['ask', 'email']);
    expect(byNode.get('ask')?.map((r) => r.conversationId)).toEqual(['b', 'a']);
    expect(byNode.get('email')).toHaveLength(1);
    expect(waitingByNode([], 'f').size).toBe(0);
  });
});

describe('transcript window (a long conversation in the inbox)', () => {
  it('draws the newest messages and counts the earlier ones; each press shows more', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const first = transcriptWindow(messages, TRANSCRIPT_SHOWN);
    expect(first.visible).toHaveLength(TRANSCRIPT_SHOWN);
    expect(first.visible.at(-1)).toBe(10_000);
    expect(first.hidden).toBe(10_000 - TRANSCRIPT_SHOWN);
    const more = transcriptWindow(messages, TRANSCRIPT_SHOWN + TRANSCRIPT_STEP);
    expect(more.visible[0]).toBe(10_000 - TRANSCRIPT_SHOWN - TRANSCRIPT_STEP + 1);
    expect(transcriptWindow([1, 2, 3], TRANSCRIPT_SHOWN)).toEqual({
      hidden: 0,
      visible: [1, 2, 3],
    });
  });
});

describe('transcript reads after the last message (the inbox on a live frame)', () => {
  const msgs = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));
  it('appends what follows on, keeps the copy when nothing is new, and asks for a whole read on a gap', () => {
    expect(appendTranscript(msgs(1, 3), msgs(4, 5))).toEqual(msgs(1, 5));
    expect(appendTranscript(msgs(1, 3), [])).toEqual(msgs(1, 3));
    expect(appendTranscript([], msgs(1, 2))).toEqual(msgs(1, 2));
    // More arrived than one answer holds (its first is not the next), or a stale copy.
    expect(appendTranscript(msgs(1, 3), msgs(6, 9))).toBeNull();
    expect(appendTranscript(msgs(1, 3), msgs(2, 4))).toBeNull();
  });
  it('keeps at most the newest TRANSCRIPT_KEPT messages however many frames arrive', () => {
    let have = msgs(1, TRANSCRIPT_KEPT);
    for (let i = 0; i < 3; i++) {
      const next = have.at(-1)!.seq + 1;
      have = appendTranscript(have, msgs(next, next + 999))!;
    }
    expect(have).toHaveLength(TRANSCRIPT_KEPT);
    expect(have.at(-1)!.seq).toBe(TRANSCRIPT_KEPT + 3000);
    expect(have[0]!.seq).toBe(3001);
  });
});

describe('which live frames the open conversation reads again for', () => {
  const row = (conversationId: string) =>
    ({ conversationId, seq: 1, updatedAt: 1, status: 'open', mode: 'agent' }) as never;
  it('only frames about it (a row, a removal) or a lagging note; others leave it alone', () => {
    expect(frameConcerns({ type: 'changes', items: [row('a'), row('b')] }, 'b')).toBe(true);
    expect(frameConcerns({ type: 'changes', items: [row('a')] }, 'b')).toBe(false);
    expect(frameConcerns({ type: 'snapshot', items: [] }, 'b')).toBe(false);
    expect(frameConcerns({ type: 'removed', conversationIds: ['b'] }, 'b')).toBe(true);
    expect(frameConcerns({ type: 'removed', conversationIds: ['a'] }, 'b')).toBe(false);
    expect(frameConcerns({ type: 'lagging', reason: 'rate' }, 'b')).toBe(true);
  });
});

describe('a live read of a conversation erased and started again under the same id', () => {
  const msgs = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));
  it('asks for a whole read when createdAt changed, so the erased messages are not kept or joined', () => {
    const have = { createdAt: 1, messages: msgs(1, 8) };
    // The returning visitor's new conversation: after=8 answers nothing yet, or seq 9 onwards.
    expect(followTranscript(have, { createdAt: 2, messages: [] }, 8)).toBeNull();
    expect(followTranscript(have, { createdAt: 2, messages: msgs(9, 9) }, 8)).toBeNull();
    // The same conversation: appended as before; a whole read replaces the copy.
    expect(followTranscript(have, { createdAt: 1, messages: msgs(9, 9) }, 8)).toEqual(msgs(1, 9));
    expect(followTranscript(have, { createdAt: 2, messages: msgs(1, 2) }, undefined)).toEqual(
      msgs(1, 2),
    );
  });
});
