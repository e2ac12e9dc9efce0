/**
 * The event outbox's flush against a real object's SQLite storage and the real EVENTS queue,
 * with the queue send held open: what happens when a turn commits, or the conversation is
 * erased, while a flush waits for the queue (the input gate is open during that await).
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EventOutbox } from '../../worker/conversation/event-outbox.ts';
import { ConversationStorage } from '../../worker/conversation/storage.ts';
import type { AppEnv } from '../../worker/env.ts';

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
      expect(new ConversationStorage(state.storage.sql).outgoing(10)).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
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
