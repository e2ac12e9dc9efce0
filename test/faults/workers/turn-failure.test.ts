/**
 * A turn that throws halfway through its commit (issue 12 item 2). The fault is real storage
 * refusing a write: a SQLite trigger in the conversation's own database aborts the insert of
 * the flow's message, after the turn already stored its frame id and the new run's row. The
 * turn must roll all of it back, answer the visitor (error frame + fallback), record the failed
 * run, and leave the conversation able to go on. The same holds for the turn that commits a
 * webhook's result.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call } from '../../helpers/admin.ts';
import {
  createPilot,
  eventually,
  json,
  publishFlow,
  said,
  visit,
} from '../../worker/runtime-helpers.ts';
import { requestsSeen, target } from './fault-helpers.ts';

const FAULT = `CREATE TRIGGER refuse_boom BEFORE INSERT ON messages WHEN NEW.text = 'Boom'
  BEGIN SELECT RAISE(ABORT, 'injected storage fault'); END`;

describe('a turn whose commit throws', () => {
  it('rolls back, answers with an error frame and the fallback, and the conversation goes on', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, {
      name: 'Boom',
      trigger: { type: 'event', name: 'boom' },
      start: 'm',
      nodes: [{ id: 'm', type: 'send_message', text: 'Boom' }],
    });
    const { socket, conversationId } = await visit(publicKey);
    await eventually(
      async () => socket.frames.some((f) => f.type === 'welcome'),
      (welcomed) => welcomed,
      'the welcome frame',
    );
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(FAULT);
    });

    const id = crypto.randomUUID();
    socket.send({ id, type: 'event', name: 'boom' });
    await said(socket, 'Fallback answer.');
    const acks = () => socket.frames.filter((f) => f.type === 'ack' && f.id === id).length;
    await eventually(
      async () => acks(),
      (n) => n === 1,
      'the ack of the failed turn',
    );
    const errorFrame = socket.frames.find((f) => f.type === 'error');
    expect(errorFrame).toMatchObject({ code: 'internal_error', id });
    expect(errorFrame?.type === 'error' && errorFrame.message).toContain('turn_failed');

    // Nothing of the rolled-back turn is left: one run, failed, none waiting on a null node.
    const rows = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ status: string; state: string }>('SELECT status, state FROM runs')
        .toArray(),
    );
    expect(rows.map((r) => [r.status, JSON.parse(r.state).error])).toEqual([
      ['failed', 'turn_failed'],
    ]);
    expect(await stub.activeRunState()).toBeNull();

    // The same frame again is acknowledged and changes nothing.
    const before = socket.messages().length;
    socket.send({ id, type: 'event', name: 'boom' });
    await eventually(
      async () => acks(),
      (n) => n === 2,
      'the ack of the resent frame',
    );
    expect(socket.messages()).toHaveLength(before);

    // A plain message still gets an answer.
    socket.send({ type: 'message', text: 'still there?' });
    await socket.waitForMessages(
      (messages) => messages.filter((m) => m.text === 'Fallback answer.').length === 2,
      'the fallback answer to a later message',
    );

    const [run] = await eventually(
      async () =>
        (
          await json<{ items: { status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (items) => items.length === 1,
      'the failed run in the enrollment log',
    );
    expect(run).toMatchObject({ status: 'failed', error: 'turn_failed' });
    socket.close();
  });

  it('ends a run whose webhook result cannot be committed, with the fallback, instead of leaving it waiting', async () => {
    const { pilotId, publicKey } = await createPilot();
    const tag = crypto.randomUUID();
    const { flowId } = await publishFlow(pilotId, {
      name: 'Boom after a webhook',
      trigger: { type: 'event', name: 'hook' },
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http_request',
          method: 'GET',
          url: `${target}/ok?tag=${tag}`,
          timeoutMs: 5000,
          next: 'm',
        },
        { id: 'm', type: 'send_message', text: 'Boom' },
      ],
    });
    const { socket, conversationId } = await visit(publicKey);
    await eventually(
      async () => socket.frames.some((f) => f.type === 'welcome'),
      (welcomed) => welcomed,
      'the welcome frame',
    );
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(FAULT);
    });
    socket.send({ type: 'event', name: 'hook' });
    await said(socket, 'Fallback answer.');
    expect(await stub.activeRunState()).toBeNull();
    const effects = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ status: string }>('SELECT status FROM effects').toArray(),
    );
    // The webhook ran once and its result is kept: it is never sent again.
    expect(effects.map((e) => e.status)).toEqual(['done']);
    expect(await requestsSeen(tag)).toHaveLength(1);
    const [run] = await eventually(
      async () =>
        (
          await json<{ items: { status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (items) => items[0]?.status === 'failed',
      'the failed run in the enrollment log',
    );
    expect(run).toMatchObject({ status: 'failed', error: 'turn_failed' });
    socket.send({ type: 'message', text: 'hello?' });
    await socket.waitForMessages(
      (messages) => messages.filter((m) => m.text === 'Fallback answer.').length === 2,
      'the fallback answer to a later message',
    );
    socket.close();
  });
});
