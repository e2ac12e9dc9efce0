/**
 * The event outbox's flush against a real object's SQLite storage and the real EVENTS queue,
 * with the queue send held open: what happens when a turn commits, or the conversation is
 * erased, while a flush waits for the queue (the input gate is open during that await). And
 * the sent rows' delete, which rides the next turn's commit (or a sweep when none comes): a
 * crash before it sends them again, and the consumer (real queue, D1, the pilot's object)
 * counts them once.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  BATCH_BYTES,
  EventOutbox,
  FLUSH_MAX_WAIT_MS,
  FLUSH_QUIET_MS,
  FLUSH_ROWS,
  MESSAGE_BYTES,
  SWEEP_DELAY_MS,
} from '../../worker/conversation/event-outbox.ts';
import { LivePush } from '../../worker/conversation/live-push.ts';
import { ConversationStorage } from '../../worker/conversation/storage.ts';
import { Turns } from '../../worker/conversation/turn.ts';
import type { AppEnv } from '../../worker/env.ts';
import { eventually } from './runtime-helpers.ts';

/** The real queue binding, with each send held until the test lets it go and recorded. */
function heldQueue() {
  const sent: string[] = [];
  let release: () => void = () => {};
  let started: () => void = () => {};
  const sending = new Promise<void>((resolve) => {
    started = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const events: Queue = {
    ...env.EVENTS,
    send: (body, options) => env.EVENTS.send(body, options),
    sendBatch: async (messages, options) => {
      started();
      await gate;
      for (const message of messages) sent.push(...(message.body as { events: string[] }).events);
      return env.EVENTS.sendBatch(messages, options);
    },
  };
  return { events, sent, sending, release: () => release() };
}

/** A fresh conversation object's storage, and an outbox that sends through `events`. */
async function withOutbox(
  events: Queue,
  run: (o: {
    state: DurableObjectState;
    store: ConversationStorage;
    outbox: EventOutbox;
  }) => Promise<void>,
): Promise<void> {
  const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
  await runInDurableObject(stub, async (_, state) => {
    const store = new ConversationStorage(state.storage.sql);
    const outbox = new EventOutbox(state, { ...env, EVENTS: events } as AppEnv, store);
    await run({ state, store, outbox });
  });
}

function enqueue(state: DurableObjectState, store: ConversationStorage, name: string) {
  state.storage.transactionSync(() => store.enqueueOutgoing({ v: 1, events: [name] }));
}

/**
 * A flush of one unsent row is waiting for the queue when the conversation is erased (the
 * object retires its outbox, then deletes all storage); the send is still held.
 */
async function eraseDuringSend(state: DurableObjectState) {
  const store = new ConversationStorage(state.storage.sql);
  enqueue(state, store, 'erased');
  const queue = heldQueue();
  const outbox = new EventOutbox(state, { ...env, EVENTS: queue.events } as AppEnv, store);
  const flush = outbox.flush();
  await queue.sending;
  outbox.retire();
  await state.storage.deleteAll();
  return { queue, flush };
}

function tables(sql: SqlStorage): string[] {
  return sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .toArray()
    .map((row) => row.name)
    .filter((name) => !name.startsWith('_cf') && !name.startsWith('sqlite'));
}

describe('the event outbox while the queue send is in flight', () => {
  it('sends the events of a turn committed during the send exactly once, after a restart too', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    await runInDurableObject(stub, async (_, state) => {
      enqueue(state, new ConversationStorage(state.storage.sql), 'before the flush');
      // A new instance (after eviction): the unsent rows are read from disk.
      const store = new ConversationStorage(state.storage.sql);
      const queue = heldQueue();
      const outbox = new EventOutbox(state, { ...env, EVENTS: queue.events } as AppEnv, store);
      const flush = outbox.flush();
      await queue.sending;
      enqueue(state, store, 'during the send');
      queue.release();
      await flush;
      await outbox.flush();
      expect(queue.sent).toEqual(['before the flush', 'during the send']);
      // Nothing is left unsent. The sent rows are no longer deleted by the flush itself (a
      // commit of its own after every flush, issue 15): the next commit's sweep deletes them.
      expect(store.outgoing(10)).toEqual([]);
      state.storage.transactionSync(() => store.sweepSent());
      expect(new ConversationStorage(state.storage.sql).outgoing(10)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("deletes the sent rows in the next turn's commit: the flush makes no write of its own", async () => {
    const queue = heldQueue();
    queue.release();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      const live = new LivePush(state, env as AppEnv, store, (now) => outbox.nextRowSeq(now));
      const turns = new Turns(state, store, outbox, live);
      enqueue(state, store, 'sent');
      await outbox.flush();
      const onDisk = () =>
        new ConversationStorage(state.storage.sql)
          .outgoing(10)
          .map((row) => JSON.parse(row.body).events[0]);
      // A new instance now (a crash) would send the row again: it is still on disk…
      expect(onDisk()).toEqual(['sent']);
      // …until the next turn, whose commit deletes it with its own writes.
      await turns.write((t) => t.store.enqueueOutgoing({ v: 1, events: ['next turn'] }));
      expect(onDisk()).toEqual(['next turn']);
      expect(queue.sent).toEqual(['sent']);
      outbox.retire();
    });
  });

  it(`deletes the sent rows by itself ${SWEEP_DELAY_MS} ms after the flush when no turn comes`, async () => {
    const queue = heldQueue();
    queue.release();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      enqueue(state, store, 'quiet');
      await outbox.flush();
      expect(new ConversationStorage(state.storage.sql).outgoing(10)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, SWEEP_DELAY_MS + 300));
      expect(new ConversationStorage(state.storage.sql).outgoing(10)).toEqual([]);
      expect(store.hasSentRows()).toBe(false);
      expect(queue.sent).toEqual(['quiet']);
    });
  });

  it('sends a flagged question as its unanswered event, the same id after a restart, and nothing before the pilot is known', async () => {
    const queue = heldQueue();
    queue.release();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      const ask = (on: ConversationStorage, text: string) =>
        state.storage.transactionSync(() =>
          on.appendMessage({ author: 'visitor', text, at: 1_000 }, true),
        );
      // Before the conversation knows its pilot no event can be built: the question waits,
      // flagged, instead of being marked sent and cleared unsent.
      const early = ask(store, 'an early question');
      await outbox.flush();
      state.storage.transactionSync(() => store.sweepSent());
      expect(queue.sent).toEqual([]);
      expect(new ConversationStorage(state.storage.sql).unansweredQuestions(10)).toHaveLength(1);
      const pilot = {
        id: 'pilot_q',
        workspaceId: 'ws_q',
        name: 'Pilot',
        timezone: 'UTC',
        fallbackMessage: 'Fallback answer.',
      };
      state.storage.transactionSync(() => store.update({ conversationId: 'conv_q', pilot }));
      const long = ask(store, `a long one ${'x'.repeat(5_000)}`);
      await outbox.flush();
      const unanswered = (queue.sent as unknown as { kind: string; id: string }[]).filter(
        (event) => event.kind === 'unanswered',
      );
      const ids = [early, long].map((m) => `unanswered_conv_q_${m.seq}_${(1_000).toString(36)}`);
      expect(unanswered.map((event) => event.id)).toEqual(ids);
      expect(unanswered[1]).toMatchObject({ pilotId: 'pilot_q', conversationId: 'conv_q' });
      expect((unanswered[1] as unknown as { question: string }).question).toHaveLength(500);
      // A restart before the sweep sends both again under the same ids (counted once).
      const again = heldQueue();
      again.release();
      const restarted = new ConversationStorage(state.storage.sql);
      await new EventOutbox(state, { ...env, EVENTS: again.events } as AppEnv, restarted).flush();
      const resent = (again.sent as unknown as { kind: string; id: string }[])
        .filter((event) => event.kind === 'unanswered')
        .map((event) => event.id);
      expect(resent).toEqual(ids);
      // After the sweep nothing is flagged.
      state.storage.transactionSync(() => store.sweepSent());
      expect(new ConversationStorage(state.storage.sql).unansweredQuestions(10)).toEqual([]);
      outbox.retire();
    });
  });

  it('counts each event once in D1 and the unanswered list when a restart before the sweep sends it again', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    const pilotId = `pilot_${crypto.randomUUID()}`;
    const conversationId = `conv_${crypto.randomUUID()}`;
    const at = Date.now();
    const unanswered = (question: string) => ({
      kind: 'unanswered' as const,
      id: `unanswered_${crypto.randomUUID()}`,
      seq: 0,
      at,
      pilotId,
      conversationId,
      question,
    });
    const step = {
      kind: 'step' as const,
      id: `step_${crypto.randomUUID()}`,
      seq: 1,
      at,
      runId: `run_${crypto.randomUUID()}`,
      flowId: 'flow_x',
      nodeId: 'ask',
      nodeType: 'ask_question',
      version: 1,
      status: 'ok',
      port: null,
      choice: null,
      error: null,
      durationMs: 1,
    };
    const sent: string[] = [];
    const counting: Queue = {
      ...env.EVENTS,
      send: (body, options) => env.EVENTS.send(body, options),
      sendBatch: (messages, options) => {
        for (const m of messages)
          sent.push(...(m.body as { events: { id: string }[] }).events.map((e) => e.id));
        return env.EVENTS.sendBatch(messages, options);
      },
    };
    const events = [unanswered('Do you ship to Mars?'), unanswered('Is there a moon plan?'), step];
    await runInDurableObject(stub, async (_, state) => {
      const first = new ConversationStorage(state.storage.sql);
      state.storage.transactionSync(() => first.enqueueOutgoing({ v: 1, events }));
      await new EventOutbox(state, { ...env, EVENTS: counting } as AppEnv, first).flush();
      // The object dies before any turn or sweep deleted the sent row: its next instance
      // finds it and sends it again, in one queue message with a sentinel event after it.
      const second = new ConversationStorage(state.storage.sql);
      const sentinel = unanswered('sentinel');
      state.storage.transactionSync(() => second.enqueueOutgoing({ v: 1, events: [sentinel] }));
      const outbox = new EventOutbox(state, { ...env, EVENTS: counting } as AppEnv, second);
      await outbox.flush();
      outbox.retire();
    });
    const ids = events.map((e) => e.id);
    expect(sent.filter((id) => ids.includes(id))).toEqual([...ids, ...ids]);
    const pilot = env.PILOT.get(env.PILOT.idFromName(pilotId));
    const list = await eventually(
      () => pilot.unansweredList(10),
      (items) => items.some((item) => item.question === 'sentinel'),
      'the sentinel in the unanswered list',
    );
    expect(list.map((item) => [item.question, item.count]).sort()).toEqual([
      ['Do you ship to Mars?', 1],
      ['Is there a moon plan?', 1],
      ['sentinel', 1],
    ]);
    const steps = await env.DB.prepare('SELECT COUNT(*) AS n FROM enrollment_steps WHERE id = ?')
      .bind(step.id)
      .first<{ n: number }>();
    expect(steps?.n).toBe(1);
  });

  it('writes nothing into the fresh conversation and sets no alarm when erased during the send', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    await runInDurableObject(stub, async (_, state) => {
      const { queue, flush } = await eraseDuringSend(state);
      // The next use starts a fresh conversation whose first row has the same seq as the old.
      const fresh = new ConversationStorage(state.storage.sql);
      enqueue(state, fresh, 'fresh conversation');
      queue.release();
      await flush;
      const left = new ConversationStorage(state.storage.sql).outgoing(10);
      expect(left.map((row) => JSON.parse(row.body).events[0])).toEqual(['fresh conversation']);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it('leaves an erased object without tables or alarm when erased during the send', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    await runInDurableObject(stub, async (_, state) => {
      const { queue, flush } = await eraseDuringSend(state);
      queue.release();
      await flush;
      expect(tables(state.storage.sql)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

/** The real queue, each send recorded with when it happened and which events it carried. */
function timedQueue() {
  const sends: { at: number; events: string[] }[] = [];
  const events: Queue = {
    ...env.EVENTS,
    send: (body, options) => env.EVENTS.send(body, options),
    sendBatch: (messages, options) => {
      sends.push({
        at: Date.now(),
        events: [...messages].flatMap((m) => (m.body as { events: string[] }).events),
      });
      return env.EVENTS.sendBatch(messages, options);
    },
  };
  return { events, sends };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('when the event outbox flushes', () => {
  it(`waits for ${FLUSH_QUIET_MS} ms without a turn, then sends the exchange as one queue send`, async () => {
    const queue = timedQueue();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      for (const name of ['one', 'two', 'three']) {
        enqueue(state, store, name);
        outbox.schedule();
        await sleep(300);
      }
      const last = Date.now();
      expect(queue.sends).toEqual([]);
      await sleep(FLUSH_QUIET_MS + 400);
      expect(queue.sends.map((send) => send.events)).toEqual([['one', 'two', 'three']]);
      expect(queue.sends[0]!.at).toBeGreaterThanOrEqual(last + FLUSH_QUIET_MS - 310);
      outbox.retire();
    });
  });

  it(`sends a conversation that never pauses at most ${FLUSH_MAX_WAIT_MS} ms after its first unsent turn`, async () => {
    const queue = timedQueue();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      const first = Date.now();
      // A turn every 200 ms (below the quiet time) for longer than the longest wait.
      for (let i = 0; Date.now() - first < FLUSH_MAX_WAIT_MS + 1_500; i++) {
        enqueue(state, store, `turn ${i}`);
        outbox.schedule();
        await sleep(200);
      }
      expect(queue.sends.length).toBeGreaterThanOrEqual(1);
      expect(queue.sends[0]!.at - first).toBeLessThanOrEqual(FLUSH_MAX_WAIT_MS + 500);
      expect(queue.sends[0]!.events[0]).toBe('turn 0');
      outbox.retire();
    });
  });

  it(`sends at once when ${FLUSH_ROWS} turns' rows wait, however busy the conversation`, async () => {
    const queue = timedQueue();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      for (let i = 0; i < FLUSH_ROWS - 1; i++) {
        enqueue(state, store, `row ${i}`);
        outbox.schedule();
      }
      await sleep(50);
      expect(queue.sends).toEqual([]);
      enqueue(state, store, 'the last row');
      outbox.schedule();
      await sleep(200);
      expect(queue.sends).toHaveLength(1);
      expect(queue.sends[0]!.events).toHaveLength(FLUSH_ROWS);
      expect(store.outgoing(FLUSH_ROWS)).toEqual([]);
      outbox.retire();
    });
  });
});

describe('the size of what one flush sends', () => {
  it(`sends ${FLUSH_ROWS} turns of 200 large events each through the real queue as several batches within its limits`, async () => {
    const queue = timedQueue();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      // About 70 KB a turn (a turn's step limit with long step records), 3.5 MB in all; a
      // character that takes three bytes in UTF-8 so that counting characters would not do.
      const turns = FLUSH_ROWS;
      for (let t = 0; t < turns; t++)
        state.storage.transactionSync(() =>
          store.enqueueOutgoing({
            v: 1,
            events: Array.from({ length: 200 }, (_, i) => `${t}:${i}:${'€'.repeat(120)}`),
          }),
        );
      // Before the fix: one sendBatch of all 50 rows, refused by the queue ("exceeds limit").
      await outbox.flush();
      expect(await state.storage.getAlarm()).toBeNull();
      expect(store.outgoing(1)).toEqual([]);
      expect(queue.sends.flatMap((send) => send.events)).toHaveLength(turns * 200);
      expect(queue.sends.length).toBeGreaterThan(1);
      for (const send of queue.sends)
        expect(
          new TextEncoder().encode(JSON.stringify(send.events)).byteLength,
        ).toBeLessThanOrEqual(BATCH_BYTES);
      outbox.retire();
    });
  });

  it('drops and logs one event larger than a queue message, and sends the rest of its turn and the turns after it', async () => {
    const queue = timedQueue();
    await withOutbox(queue.events, async ({ state, store, outbox }) => {
      state.storage.transactionSync(() =>
        store.enqueueOutgoing({ v: 1, events: ['before', 'x'.repeat(MESSAGE_BYTES + 1), 'after'] }),
      );
      enqueue(state, store, 'next turn');
      await outbox.flush();
      expect(await state.storage.getAlarm()).toBeNull();
      expect(queue.sends.flatMap((send) => send.events)).toEqual(['before', 'after', 'next turn']);
      expect(store.outgoing(1)).toEqual([]);
      outbox.retire();
    });
  });
});
