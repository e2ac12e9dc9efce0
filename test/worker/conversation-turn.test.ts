/**
 * The conversation core without a socket: the typed state over the `meta` table (and the
 * schema-3 migration that moves per-run facts from `meta` into `runs` columns), and the turn
 * functions (visitor turn, run driving, failed-turn record) run directly on a real object's
 * SQLite storage, one transaction per turn as `Turns` runs them.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { IoEffect, RunState } from '../../shared/engine/types.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import type { ServerFrame } from '../../shared/protocol.ts';
import { pack } from '../../worker/conversation/event-outbox.ts';
import { plainStart, startRun, TURN_FAILED } from '../../worker/conversation/runs.ts';
import {
  ConversationStorage,
  FRAME_WINDOW_MESSAGES,
  MAX_KNOWN_FRAMES,
  MAX_STORED_MESSAGES,
  pilotIsQuiet,
  SCHEMA_VERSION,
  VISITOR_LOOKBACK_MESSAGES,
} from '../../worker/conversation/storage.ts';
import { type Turn, TurnOutput } from '../../worker/conversation/turn.ts';
import {
  applyVisitorTurn,
  NOTHING,
  type Prepared,
  recordFailedTurn,
  type VisitorFrame,
  wordsOf,
} from '../../worker/conversation/visitor-turn.ts';
import { MAX_UNSENT_IN_MEMORY } from '../../worker/conversation/waiting-rows.ts';

const flow: Flow = flowSchema.parse({
  schemaVersion: 1,
  name: 'Plan picker',
  pilotId: 'p1',
  trigger: { type: 'new_conversation' },
  start: 'ask',
  nodes: [
    {
      id: 'ask',
      type: 'ask_question',
      text: 'Which plan?',
      input: {
        kind: 'buttons',
        options: [
          { label: 'Free', value: 'free', next: 'done' },
          { label: 'Pro', value: 'pro', next: 'thanks' },
        ],
      },
      saveTo: 'variable.plan',
    },
    { id: 'thanks', type: 'send_message', text: 'You picked {{variable.plan}}.', next: 'done' },
    { id: 'done', type: 'end' },
  ],
});
const published = { flowId: 'flow_plans', version: 1, flow };
const pilot = {
  id: 'pilot_1',
  workspaceId: 'ws_1',
  name: 'Pilot',
  timezone: 'UTC',
  fallbackMessage: 'Fallback answer.',
};

/** Runs `test` on the storage of a fresh conversation object nobody connected to. */
function withStorage<T>(test: (store: ConversationStorage, sql: SqlStorage, turn: TurnOf) => T) {
  const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
  return runInDurableObject(stub, (_, state) => {
    const store = new ConversationStorage(state.storage.sql);
    const turn: TurnOf = (write) => {
      const out = new TurnOutput();
      const t: Turn = {
        store,
        get state() {
          return store.state;
        },
        now: Date.now(),
        out,
      };
      state.storage.transactionSync(() => write(t));
      return out;
    };
    return test(store, state.storage.sql, turn);
  });
}
type TurnOf = (write: (t: Turn) => void) => TurnOutput;

const texts = (out: TurnOutput) => out.messages.map((m) => [m.author, m.text]);

describe('the conversation state', () => {
  it('reads unknown mode/status values as the defaults and writes changes through to meta', async () => {
    await withStorage((store, sql) => {
      expect(store.state).toMatchObject({ mode: 'pilot', status: 'open', visits: 0, contact: {} });
      sql.exec("INSERT INTO meta (key, value) VALUES ('mode', 'robot'), ('status', 'odd')");
      const reread = new ConversationStorage(sql);
      expect(reread.state).toMatchObject({ mode: 'pilot', status: 'open' });
      reread.update({ mode: 'agent', handoverWaiting: true, contact: { email: 'a@b.co' } });
      expect(pilotIsQuiet(reread.state)).toBe(false);
      reread.update({ handoverWaiting: false, visits: 3 });
      const again = new ConversationStorage(sql);
      expect(again.state).toMatchObject({
        mode: 'agent',
        handoverWaiting: false,
        visits: 3,
        contact: { email: 'a@b.co' },
      });
      expect(pilotIsQuiet(again.state)).toBe(true);
      // A flag set to false is no row at all (as before the typed state).
      const flags = sql.exec("SELECT key FROM meta WHERE key = 'handoverWaiting'").toArray();
      expect(flags).toHaveLength(0);
    });
  });

  it('moves the per-run meta keys of a schema-2 object into run columns', async () => {
    await withStorage((_, sql) => {
      sql.exec('DROP TABLE runs');
      sql.exec('DELETE FROM meta');
      // The runs table and meta keys as schema 2 wrote them.
      sql.exec(`CREATE TABLE runs (run_id TEXT PRIMARY KEY, flow_id TEXT NOT NULL,
        version INTEGER NOT NULL, status TEXT NOT NULL, state TEXT NOT NULL,
        definition TEXT NOT NULL, started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
      const run = (id: string, status: string, at: number) =>
        sql.exec(
          'INSERT INTO runs VALUES (?, ?, 1, ?, ?, ?, ?, ?)',
          id,
          'flow_a',
          status,
          JSON.stringify({ runId: id, flowId: 'flow_a', version: 1, status }),
          JSON.stringify(flow),
          at,
          at,
        );
      run('run_old', 'failed', 100);
      run('run_new', 'waiting', 200);
      run('run_turn_failed', 'failed', 300);
      for (const [key, value] of [
        ['schemaVersion', '2'],
        ['conversationId', 'conv_1'],
        ['started:run_new', '250'],
        ['failedAt:run_old', 'ask'],
        ['handover:run_old', '1'],
        ['extra:run_new', JSON.stringify({ event: { name: 'signup' } })],
        ['lastRun:flow_a', '200'],
      ])
        sql.exec('INSERT INTO meta (key, value) VALUES (?, ?)', key, value);

      const store = new ConversationStorage(sql);
      expect(store.state.conversationId).toBe('conv_1');
      expect(store.run('run_old')).toMatchObject({
        failedNode: 'ask',
        handedOver: true,
        visitorStartedAt: null,
        extra: {},
      });
      expect(store.run('run_new')).toMatchObject({
        visitorStartedAt: 250,
        failedNode: null,
        handedOver: false,
        extra: { event: { name: 'signup' } },
      });
      // The lastRun time is the newest run that started (not the one recorded as failed later).
      expect(store.lastRunOf('flow_a')).toBe(200);
      expect(store.lastRunOf('flow_b')).toBeNull();
      const left = sql
        .exec("SELECT key FROM meta WHERE key LIKE '%:%' AND key NOT LIKE 'counter:%'")
        .toArray();
      expect(left).toEqual([]);
      expect(sql.exec("SELECT value FROM meta WHERE key = 'schemaVersion'").one().value).toBe(
        SCHEMA_VERSION,
      );
    });
  });

  it('gives a schema-3 messages table the unanswered flag, and its old messages none', async () => {
    await withStorage((_, sql) => {
      sql.exec('DROP TABLE messages');
      // The messages table as schema 3 made it: no `unanswered` column.
      sql.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY, author TEXT NOT NULL,
        text TEXT NOT NULL, choices TEXT, input TEXT, client_id TEXT, at INTEGER NOT NULL, rich TEXT)`);
      sql.exec("INSERT INTO messages (author, text, at) VALUES ('visitor', 'old words', 1)");
      sql.exec("UPDATE meta SET value = '3' WHERE key = 'schemaVersion'");
      const migrated = new ConversationStorage(sql);
      expect(migrated.unansweredQuestions(10)).toEqual([]);
      migrated.appendMessage({ author: 'visitor', text: 'Do you ship to Mars?', at: 5 }, true);
      expect(new ConversationStorage(sql).unansweredQuestions(10)).toEqual([
        { seq: 2, text: 'Do you ship to Mars?', at: 5 },
      ]);
      // The flag's own partial index exists, and a new instance's read goes through it.
      const plan = sql
        .exec<{ detail: string }>(
          'EXPLAIN QUERY PLAN SELECT seq FROM messages WHERE seq > 0 AND unanswered = 1 ORDER BY seq LIMIT 50',
        )
        .toArray()
        .map((row) => row.detail)
        .join(' ');
      expect(plan).toContain('messages_unanswered');
      expect(sql.exec("SELECT value FROM meta WHERE key = 'schemaVersion'").one().value).toBe('4');
    });
  });
});

describe('turns without a socket', () => {
  it('routes words: the waiting question takes a choice, an unknown one is refused', async () => {
    await withStorage((store, _sql, turn) => {
      store.update({ conversationId: 'conv_t', visitorId: 'v_1', pilot });
      const started = turn((t) => startRun(t, plainStart(published), undefined));
      expect(texts(started)).toEqual([['pilot', 'Which plan?']]);
      const ask = started.messages[0]?.seq ?? 0;
      expect(store.activeRun()?.state).toMatchObject({ status: 'waiting', nodeId: 'ask' });

      const replies: ServerFrame[] = [];
      const unknown: VisitorFrame = { v: 1, id: 'c0', type: 'choice', seq: ask, value: 'gold' };
      const refused = turn((t) =>
        applyVisitorTurn(t, unknown, wordsOf(store, unknown), NOTHING, (f) => replies.push(f)),
      );
      expect(refused.messages).toEqual([]);
      expect(replies).toEqual([
        { v: 1, type: 'error', code: 'invalid_input', message: 'Unknown choice', id: 'c0' },
      ]);

      const choice: VisitorFrame = { v: 1, id: 'c1', type: 'choice', seq: ask, value: 'pro' };
      const words = wordsOf(store, choice);
      expect(words).toEqual({
        text: 'Pro',
        event: { type: 'input', text: 'Pro', value: 'pro' },
      });
      const answered = turn((t) => applyVisitorTurn(t, choice, words, NOTHING, () => {}));
      expect(texts(answered)).toEqual([
        ['visitor', 'Pro'],
        ['pilot', 'You picked pro.'],
      ]);
      expect(store.activeRun()).toBeNull();
      // The run was started by the visitor's answer, and its run event says so.
      const runEvents = answered.events.filter((e) => e.kind === 'run');
      expect(runEvents.at(-1)).toMatchObject({ status: 'completed', conversationId: 'conv_t' });
      expect(typeof (runEvents.at(-1) as { startedAt: unknown }).startedAt).toBe('number');
    });
  });

  it('without a waiting run: the prepared answer, a handover, and an email offer that lapses', async () => {
    await withStorage((store, _sql, turn) => {
      store.update({ conversationId: 'conv_u', visitorId: 'v_2', pilot, awaitingEmail: true });
      const message = (id: string, text: string): VisitorFrame => ({
        v: 1,
        id,
        type: 'message',
        text,
      });
      const first = message('m1', 'hello');
      const handover: Prepared = { ...NOTHING, answer: 'Connecting you.', handover: true };
      const out = turn((t) =>
        applyVisitorTurn(t, first, wordsOf(store, first), handover, () => {}),
      );
      expect(texts(out)).toEqual([
        ['visitor', 'hello'],
        ['pilot', 'Connecting you.'],
      ]);
      expect(store.state).toMatchObject({
        mode: 'agent',
        handoverWaiting: true,
        awaitingEmail: false,
      });
      // Still answering until a person replies.
      expect(pilotIsQuiet(store.state)).toBe(false);
    });
  });

  it('records a turn that threw: the waiting run ends as turn_failed and the fallback answers', async () => {
    await withStorage((store, _sql, turn) => {
      store.update({ conversationId: 'conv_f', visitorId: 'v_3', pilot });
      turn((t) => startRun(t, plainStart(published), undefined));
      const frame: VisitorFrame = { v: 1, id: 'm9', type: 'message', text: 'Pro please' };
      const words = wordsOf(store, frame);
      const out = turn((t) => recordFailedTurn(t, frame, words, null));
      expect(texts(out)).toEqual([
        ['visitor', 'Pro please'],
        ['pilot', 'Fallback answer.'],
      ]);
      expect(out.failure).toBe(TURN_FAILED);
      expect(store.activeRun()).toBeNull();
      expect(store.hasClientFrame('m9')).toBe(true);
      const run = out.events.find((e) => e.kind === 'run') as { status: RunState['status'] };
      expect(run.status).toBe('failed');
    });
  });
});

/** A turn whose write throws: rolled back, and the storage's memory copies dropped (as Turns does). */
function failedTurn(store: ConversationStorage, turn: TurnOf, write: (t: Turn) => void) {
  expect(() =>
    turn((t) => {
      write(t);
      throw new Error('turn threw');
    }),
  ).toThrow('turn threw');
  store.forgetUncommitted();
}

describe('memory copies of the hot path agree with the disk', () => {
  it('answers the duplicate-frame check from memory in a new object, as the table would, rollbacks included', async () => {
    await withStorage((store, sql, turn) => {
      turn((t) => t.store.markClientFrame('frame-1', t.now));
      expect(store.hasClientFrame('frame-1')).toBe(true);
      expect(store.hasClientFrame('frame-2')).toBe(false);
      // A turn that threw stored nothing, so its frame is not a duplicate when it comes again.
      failedTurn(store, turn, (t) => t.store.markClientFrame('frame-2', t.now));
      expect(store.hasClientFrame('frame-2')).toBe(false);
      expect(store.hasClientFrame('frame-1')).toBe(true);
      // A new instance (after eviction) reads the same answers from the table.
      const restarted = new ConversationStorage(sql);
      expect(restarted.hasClientFrame('frame-1')).toBe(true);
      expect(restarted.hasClientFrame('frame-2')).toBe(false);
    });
  });

  it(`keeps at most ${MAX_KNOWN_FRAMES} frame ids in memory and still finds the oldest after that`, async () => {
    await withStorage((store, _, turn) => {
      turn((t) => {
        for (let i = 0; i <= MAX_KNOWN_FRAMES + 5; i++) t.store.markClientFrame(`f${i}`, t.now);
      });
      expect(store.hasClientFrame('f0')).toBe(true);
      expect(store.hasClientFrame(`f${MAX_KNOWN_FRAMES + 5}`)).toBe(true);
      expect(store.hasClientFrame('never-sent')).toBe(false);
    });
  });

  it("records a visitor's words by their message row alone, and a new object still refuses the frame again", async () => {
    await withStorage((store, sql, turn) => {
      store.update({ conversationId: 'conv_w', visitorId: 'v_w', pilot });
      const said: VisitorFrame = { v: 1, id: 'words-1', type: 'message', text: 'Hello' };
      const refused: VisitorFrame = { v: 1, id: 'choice-1', type: 'choice', seq: 99, value: 'x' };
      for (const frame of [said, refused])
        turn((t) => {
          applyVisitorTurn(t, frame, wordsOf(store, frame), NOTHING, () => {});
          t.store.markClientFrame(frame.id, t.now);
        });
      // One row fewer per visitor message: the message's client_id is the record.
      const ids = sql.exec<{ id: string }>('SELECT id FROM client_frames').toArray();
      expect(ids.map((row) => row.id)).toEqual(['choice-1']);
      expect(store.hasClientFrame('words-1')).toBe(true);
      // After eviction both kinds are still known, and nothing else is.
      const restarted = new ConversationStorage(sql);
      expect(restarted.hasClientFrame('words-1')).toBe(true);
      expect(restarted.hasClientFrame('choice-1')).toBe(true);
      expect(restarted.hasClientFrame('never-sent')).toBe(false);
    });
  });

  it(`finds the oldest visitor message's frame after eviction past ${MAX_KNOWN_FRAMES} frames, through an index made then`, async () => {
    await withStorage((store, sql, turn) => {
      store.update({ conversationId: 'conv_m', visitorId: 'v_m', pilot });
      turn((t) => {
        for (let i = 0; i <= MAX_KNOWN_FRAMES; i++) {
          const frame: VisitorFrame = { v: 1, id: `w${i}`, type: 'message', text: `m${i}` };
          applyVisitorTurn(t, frame, wordsOf(store, frame), NOTHING, () => {});
          t.store.markClientFrame(frame.id, t.now);
        }
      });
      const restarted = new ConversationStorage(sql);
      expect(restarted.hasClientFrame('w0')).toBe(true);
      expect(restarted.hasClientFrame(`w${MAX_KNOWN_FRAMES}`)).toBe(true);
      expect(restarted.hasClientFrame('never-sent')).toBe(false);
      const index = sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'messages_client'")
        .toArray();
      expect(index).toHaveLength(1);
      const plan = sql
        .exec<{ detail: string }>(
          'EXPLAIN QUERY PLAN SELECT 1 FROM messages WHERE client_id = ? LIMIT 1',
          'w0',
        )
        .toArray();
      expect(plan.map((row) => row.detail).join(' ')).toContain('messages_client');
    });
  });

  it(`a wake reads at most ${FRAME_WINDOW_MESSAGES} messages: past them an old frame is refused through the index, and the visitor's last words are looked for among the newest ${VISITOR_LOOKBACK_MESSAGES}`, async () => {
    await withStorage((store, sql, turn) => {
      store.update({ conversationId: 'conv_w', visitorId: 'v_w', pilot });
      turn((t) => {
        const frame: VisitorFrame = { v: 1, id: 'first', type: 'message', text: 'hello' };
        applyVisitorTurn(t, frame, wordsOf(store, frame), NOTHING, () => {});
        t.store.markClientFrame(frame.id, t.now);
        // A flow that floods the conversation with its own messages (a hostile flow author).
        for (let i = 0; i <= FRAME_WINDOW_MESSAGES; i++)
          t.store.appendMessage({ author: 'pilot', text: `flood ${i}`, at: t.now });
      });
      const restarted = new ConversationStorage(sql);
      expect(restarted.hasClientFrame('first')).toBe(true);
      expect(restarted.hasClientFrame('never-sent')).toBe(false);
      // The long conversation went to the indexed checks instead of reading every message.
      const index = sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'messages_client'")
        .toArray();
      expect(index).toHaveLength(1);
      // The visitor's words are more than VISITOR_LOOKBACK_MESSAGES messages back: not recent.
      expect(restarted.lastVisitorAt()).toBeNull();
    });
  });

  it('makes the effect ledger with the first effect of a new object, and a rolled-back one leaves none', async () => {
    await withStorage((store, sql, turn) => {
      const tables = () =>
        sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'effects%'")
          .toArray()
          .map((row) => row.name)
          .sort();
      const effect: IoEffect = {
        type: 'handover',
        nodeId: 'n1',
        idempotencyKey: 'run_e:n1:1',
        awaitResult: true,
      };
      expect(tables()).toEqual([]);
      expect(store.nextPendingEffect()).toBeNull();
      failedTurn(store, turn, (t) => t.store.recordEffect('run_e', effect, t.now));
      expect(tables()).toEqual([]);
      expect(store.countEffects('pending')).toBe(0);
      turn((t) => t.store.recordEffect('run_e', effect, t.now));
      expect(tables()).toEqual(['effects', 'effects_status']);
      expect(store.nextPendingEffect()?.key).toBe('run_e:n1:1');
      expect(new ConversationStorage(sql).countEffects('pending')).toBe(1);
    });
  });

  it('lists the events waiting for the queue from memory exactly as stored, rollbacks included', async () => {
    await withStorage((store, sql, turn) => {
      turn((t) => t.store.enqueueOutgoing({ v: 1, events: ['first'] }));
      failedTurn(store, turn, (t) => t.store.enqueueOutgoing({ v: 1, events: ['rolled back'] }));
      turn((t) => t.store.enqueueOutgoing({ v: 1, events: ['second'] }));
      const bodies = (rows: { body: string }[]) =>
        rows.map((row) => JSON.parse(row.body).events[0]);
      expect(bodies(store.outgoing(10))).toEqual(['first', 'second']);
      expect(bodies(new ConversationStorage(sql).outgoing(10))).toEqual(['first', 'second']);
      const [first] = store.outgoing(1);
      store.deleteOutgoingThrough(first?.seq ?? 0);
      expect(bodies(store.outgoing(10))).toEqual(['second']);
      expect(bodies(new ConversationStorage(sql).outgoing(10))).toEqual(['second']);
    });
  });

  it('keeps an unanswered question as a flag on its message until a sent flush and the next commit clear it', async () => {
    await withStorage((store, sql, turn) => {
      const ask = (text: string) => (t: Turn) => {
        t.store.appendMessage({ author: 'visitor', text, at: t.now }, true);
        t.store.appendMessage({ author: 'pilot', text: 'Fallback answer.', at: t.now });
      };
      const texts = (rows: { text: string }[]) => rows.map((row) => row.text);
      turn(ask('Do you ship to Mars?'));
      failedTurn(store, turn, ask('rolled back'));
      turn(ask('Is there a moon plan?'));
      // No event row: the flag is the record, in memory and on disk alike.
      expect(sql.exec('SELECT COUNT(*) AS n FROM outgoing').one().n).toBe(0);
      const both = ['Do you ship to Mars?', 'Is there a moon plan?'];
      expect(texts(store.unansweredQuestions(10))).toEqual(both);
      expect(texts(new ConversationStorage(sql).unansweredQuestions(10))).toEqual(both);
      // Sent through the first: listed no more here, but a new instance (a crash before the
      // next commit) sends it again, which the pilot counts once (the id is the message's).
      const [first] = store.unansweredQuestions(1);
      store.markQuestionsSent(first?.seq ?? 0);
      expect(texts(store.unansweredQuestions(10))).toEqual(['Is there a moon plan?']);
      expect(texts(new ConversationStorage(sql).unansweredQuestions(10))).toEqual(both);
      // The next commit clears the sent flag; the message itself stays in the transcript.
      turn((t) => t.store.sweepSent());
      expect(texts(new ConversationStorage(sql).unansweredQuestions(10))).toEqual([
        'Is there a moon plan?',
      ]);
      expect(store.messagesAfter(0).map((m) => m.text)).toContain('Do you ship to Mars?');
    });
  });

  it(`keeps at most ${MAX_UNSENT_IN_MEMORY} unsent questions in memory while sends fail, then reads the table`, async () => {
    await withStorage((store, sql, turn) => {
      turn((t) => {
        for (let i = 0; i <= MAX_UNSENT_IN_MEMORY; i++)
          t.store.appendMessage({ author: 'visitor', text: `q${i}`, at: t.now }, true);
      });
      // Past the bound the copy is dropped: a flag cleared behind its back is seen at once.
      sql.exec('UPDATE messages SET unanswered = NULL WHERE seq > 1');
      expect(store.unansweredQuestions(1000).map((q) => q.text)).toEqual(['q0']);
    });
  });

  it('never prunes a question that has not been sent (its flag is its only record)', async () => {
    await withStorage((store, sql, turn) => {
      turn((t) =>
        t.store.appendMessage({ author: 'visitor', text: 'first question', at: 1 }, true),
      );
      turn((t) => t.store.appendMessage({ author: 'pilot', text: 'old answer', at: 1 }));
      // Jump the numbering so the next message crosses the prune point.
      sql.exec(
        "INSERT INTO messages (seq, author, text, at) VALUES (?, 'pilot', 'filler', 2)",
        MAX_STORED_MESSAGES + 499,
      );
      turn((t) => t.store.appendMessage({ author: 'pilot', text: 'prunes now', at: 3 }));
      const left = () =>
        sql
          .exec<{ text: string }>('SELECT text FROM messages ORDER BY seq')
          .toArray()
          .map((row) => row.text);
      expect(left()).toEqual(['first question', 'filler', 'prunes now']);
      expect(new ConversationStorage(sql).unansweredQuestions(10).map((q) => q.text)).toEqual([
        'first question',
      ]);
      // Once sent and swept it is an old message like the others: the next prune takes it.
      const [question] = store.unansweredQuestions(1);
      store.markQuestionsSent(question?.seq ?? 0);
      turn((t) => t.store.sweepSent());
      sql.exec(
        "INSERT INTO messages (seq, author, text, at) VALUES (?, 'pilot', 'filler', 4)",
        MAX_STORED_MESSAGES + 999,
      );
      turn((t) => t.store.appendMessage({ author: 'pilot', text: 'prunes again', at: 5 }));
      expect(left()).not.toContain('first question');
    });
  });

  it('hands a flush its own copy of the rows read from disk, so a later turn is not deleted with them', async () => {
    await withStorage((_, sql, turn) => {
      turn((t) => t.store.enqueueOutgoing({ v: 1, events: ['first'] }));
      // After a restart the copy is unknown: this read comes from disk and starts the copy.
      const restarted = new ConversationStorage(sql);
      const rows = restarted.outgoing(50);
      const again: TurnOf = (write) =>
        turn((t) => write({ ...t, store: restarted, state: restarted.state }));
      again((t) => t.store.enqueueOutgoing({ v: 1, events: ['second'] }));
      expect(rows.map((row) => JSON.parse(row.body).events[0])).toEqual(['first']);
      restarted.deleteOutgoingThrough(rows.at(-1)?.seq ?? 0);
      const bodies = (list: { body: string }[]) =>
        list.map((row) => JSON.parse(row.body).events[0]);
      expect(bodies(restarted.outgoing(50))).toEqual(['second']);
      expect(bodies(new ConversationStorage(sql).outgoing(50))).toEqual(['second']);
    });
  });

  it('reads the waiting run from the table once per write, never a stale copy after a write or a rollback', async () => {
    await withStorage((store, sql, turn) => {
      store.update({ conversationId: 'conv_r', visitorId: 'v_r', pilot });
      turn((t) => startRun(t, plainStart(published), undefined));
      const waiting = store.activeRun();
      if (!waiting) throw new Error('no run waits');
      expect(waiting.state).toMatchObject({ status: 'waiting', nodeId: 'ask' });
      expect(waiting.visitorStartedAt).toBeNull();
      // What a read returns is the caller's own: changing it changes nothing remembered.
      waiting.state.nodeId = 'changed by a caller';
      expect(store.activeRun()?.state.nodeId).toBe('ask');
      // A column write is seen by the next read.
      turn((t) => t.store.markRunStarted(waiting.state.runId, 42));
      expect(store.activeRun()?.visitorStartedAt).toBe(42);
      const end = (t: Turn) => {
        const run = t.store.activeRun();
        if (!run) throw new Error('no run waits');
        t.store.saveRun({ ...run.state, status: 'completed' }, run.flow, t.now);
        return t.store.activeRun();
      };
      // Ended inside a turn that then threw: within the turn none waits, after the rollback
      // the run waits again, as on disk.
      let inside: unknown = 'not read';
      failedTurn(store, turn, (t) => {
        inside = end(t);
      });
      expect(inside).toBeNull();
      expect(store.activeRun()?.state).toMatchObject({ status: 'waiting', nodeId: 'ask' });
      expect(new ConversationStorage(sql).activeRun()?.state.status).toBe('waiting');
      // Ended in a committed turn: gone for this instance and for the disk.
      turn((t) => {
        end(t);
      });
      expect(store.activeRun()).toBeNull();
      expect(new ConversationStorage(sql).activeRun()).toBeNull();
    });
  });

  it("answers a new object's newest message and waiting run without SQL, as the tables would, rollbacks included", async () => {
    await withStorage((store, sql, turn) => {
      store.update({ conversationId: 'conv_n', visitorId: 'v_n', pilot });
      // Tables made by this storage: known empty.
      expect(store.lastSeq()).toBe(0);
      expect(store.messagesAfter(0)).toEqual([]);
      expect(store.activeRun()).toBeNull();
      // A rolled-back turn leaves nothing behind in the copies either.
      failedTurn(store, turn, (t) => {
        t.store.appendMessage({ author: 'visitor', text: 'rolled back', at: t.now });
        startRun(t, plainStart(published), undefined);
      });
      expect(store.lastSeq()).toBe(0);
      expect(store.messagesAfter(0)).toEqual([]);
      expect(store.activeRun()).toBeNull();
      // Committed writes are seen at once: the copies follow every write.
      turn((t) => {
        t.store.appendMessage({ author: 'visitor', text: 'hi', at: t.now });
        startRun(t, plainStart(published), undefined);
      });
      const disk = new ConversationStorage(sql);
      for (const reader of [store, disk]) {
        expect(reader.messagesAfter(0).map((m) => m.text)).toEqual(['hi', 'Which plan?']);
        expect(reader.messagesAfter(1).map((m) => m.text)).toEqual(['Which plan?']);
        expect(reader.messagesAfter(reader.lastSeq())).toEqual([]);
        expect(reader.activeRun()?.state).toMatchObject({ status: 'waiting', nodeId: 'ask' });
      }
    });
  });

  it("numbers a new object's messages 1, 2, 3… without a sqlite_sequence write, a rolled-back one not counted", async () => {
    await withStorage((store, sql, turn) => {
      const said = (text: string) =>
        turn((t) => {
          t.out.messages.push(t.store.appendMessage({ author: 'visitor', text, at: t.now }));
        }).messages.map((m) => m.seq);
      expect(said('one')).toEqual([1]);
      failedTurn(store, turn, (t) => {
        t.store.appendMessage({ author: 'visitor', text: 'rolled back', at: t.now });
      });
      expect(said('two')).toEqual([2]);
      // After a restart the numbering goes on from the disk.
      const restarted = new ConversationStorage(sql);
      {
        const seq = restarted.appendMessage({ author: 'visitor', text: 'three', at: 3 }).seq;
        expect(seq).toBe(3);
      }
      expect(restarted.messagesAfter(0).map((m) => [m.seq, m.text])).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
      ]);
      const sequences = sql
        .exec("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        .toArray();
      expect(sequences).toEqual([]);
    });
  });

  it('starts an erased object empty when told it has no tables, and its copies follow its writes', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    await runInDurableObject(stub, async (_, state) => {
      const sql = state.storage.sql;
      const old = new ConversationStorage(sql);
      state.storage.transactionSync(() => {
        old.update({ conversationId: 'conv_e', pilot });
        old.appendMessage({ author: 'visitor', text: 'erased', at: 1 });
      });
      await state.storage.deleteAll();
      const fresh = new ConversationStorage(sql, true);
      expect(fresh.state).toMatchObject({ conversationId: null, pilot: null, mode: 'pilot' });
      expect(fresh.lastSeq()).toBe(0);
      expect(fresh.messagesAfter(0)).toEqual([]);
      state.storage.transactionSync(() =>
        fresh.appendMessage({ author: 'visitor', text: 'after', at: 2 }),
      );
      expect(fresh.messagesAfter(0).map((m) => m.text)).toEqual(['after']);
      expect(new ConversationStorage(sql).messagesAfter(0).map((m) => m.text)).toEqual(['after']);
    });
  });

  it('refuses to start as a new object when the meta read fails for any reason but a missing table', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    await runInDurableObject(stub, async (_, state) => {
      const sql = state.storage.sql;
      // A meta table the read cannot use: not "no tables", so not an empty object either.
      sql.exec('CREATE TABLE meta (key TEXT PRIMARY KEY)');
      expect(() => new ConversationStorage(sql)).toThrow(/no such column/);
      // Nothing was built over it as if the object were new (the schema, empty caches).
      const tables = sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray()
        .map((row) => row.name);
      expect(tables).toEqual(['meta']);
    });
  });

  it('hands a flush the events of rows still in memory as stored, and parses rows read from disk', async () => {
    await withStorage((store, sql, turn) => {
      turn((t) => t.store.enqueueOutgoing({ v: 1, events: ['in memory'] }));
      failedTurn(store, turn, (t) => t.store.enqueueOutgoing({ v: 1, events: ['rolled back'] }));
      // The rollback dropped the copy: this read comes from disk, the next turn's row from memory.
      const fromDisk = store.outgoing(10);
      turn((t) => t.store.enqueueOutgoing({ v: 1, events: ['next'] }));
      expect(fromDisk.map((row) => row.events)).toEqual([undefined]);
      const rows = store.outgoing(10);
      expect(rows.map((row) => row.events ?? JSON.parse(row.body).events)).toEqual([
        ['in memory'],
        ['next'],
      ]);
      const packed = pack(
        rows.map((row) => ({
          bytes: row.body.length,
          events: (row.events ?? JSON.parse(row.body).events) as never[],
        })),
      );
      expect(packed.flat().map((m) => m.body.events)).toEqual([['in memory', 'next']]);
      expect(new ConversationStorage(sql).outgoing(10).map((r) => r.body)).toEqual(
        rows.map((r) => r.body),
      );
    });
  });

  it(`keeps at most ${MAX_UNSENT_IN_MEMORY} unsent rows in memory while sends fail, then reads the table`, async () => {
    await withStorage((store, sql, turn) => {
      turn((t) => t.store.enqueueOutgoing({ v: 1, events: ['small'] }));
      // Below the bound the copy answers (a row deleted behind its back is still listed)…
      sql.exec('DELETE FROM outgoing');
      expect(store.outgoing(10)).toHaveLength(1);
      store.deleteOutgoingThrough(Number.MAX_SAFE_INTEGER);
      // …past it every turn's row is on disk only, and the table answers.
      turn((t) => {
        for (let i = 0; i <= MAX_UNSENT_IN_MEMORY; i++)
          t.store.enqueueOutgoing({ v: 1, events: [`e${i}`] });
      });
      expect(store.outgoing(1000)).toHaveLength(MAX_UNSENT_IN_MEMORY + 1);
      sql.exec('DELETE FROM outgoing WHERE seq > (SELECT MIN(seq) FROM outgoing)');
      expect(store.outgoing(1000).map((row) => JSON.parse(row.body).events[0])).toEqual(['e0']);
    });
  });
});
