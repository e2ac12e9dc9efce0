import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import {
  createPilot,
  eventually,
  indexed,
  json,
  publishFlow,
  republish,
  said,
  texts,
  visit,
} from './runtime-helpers.ts';

const question = (label: string) => ({
  name: 'Question',
  trigger: { type: 'event' as const, name: 'go' },
  variables: [{ name: 'answer', type: 'text' as const }],
  start: 'q',
  nodes: [
    {
      id: 'q',
      type: 'ask_question' as const,
      text: `${label}: what do you need?`,
      input: { kind: 'text' as const },
      saveTo: 'variable.answer',
      next: 'done',
    },
    {
      id: 'done',
      type: 'send_message' as const,
      text: `${label} finished with {{variable.answer}}`,
    },
  ],
});

const conversation = async (id: string) =>
  json<{
    mode: string;
    status: string;
    run: unknown;
    messages: { author: string; text: string }[];
  }>(await call(`/v1/admin/conversations/${id}`));

describe('versions and humans', () => {
  it('keeps a waiting run on its version after a new publish; new conversations get the new one', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, question('v1'));
    const early = await visit(publicKey);
    early.socket.send({ type: 'event', name: 'go' });
    await said(early.socket, 'v1: what do you need?');
    expect((await republish(flowId, pilotId, question('v2'))).version).toBe(2);

    early.socket.send({ type: 'message', text: 'pricing' });
    await said(early.socket, 'v1 finished with pricing');
    const late = await visit(publicKey);
    late.socket.send({ type: 'event', name: 'go' });
    await said(late.socket, 'v2: what do you need?');
    early.socket.close();
    late.socket.close();
  });

  it('cancels running runs on unpublish and keeps the chat', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, question('Q'));
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'go' });
    await said(visitor.socket, 'Q: what do you need?');
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    expect(await stub.activeRunState()).toMatchObject({ status: 'waiting', flowId });
    // As an admin would: the live view shows the conversation waiting on the flow's question.
    await eventually(
      async () =>
        (
          await json<{ items: { conversationId: string; flowId: string; nodeId: string }[] }>(
            await call(`/v1/admin/live?pilotId=${pilotId}`),
          )
        ).items,
      (items) => items.some((i) => i.conversationId === visitor.conversationId && i.nodeId === 'q'),
      'the waiting conversation in the live view',
    );

    const unpublished = await call(`/v1/admin/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(unpublished.status).toBe(200);
    expect(await stub.activeRunState()).toBeNull();
    visitor.socket.send({ type: 'message', text: 'still there?' });
    await said(visitor.socket, 'Fallback answer.');
    expect(texts(visitor.socket)).toEqual([
      ['pilot', 'Q: what do you need?'],
      ['visitor', 'still there?'],
      ['pilot', 'Fallback answer.'],
    ]);
    const enrollment = await eventually(
      async () =>
        (
          await json<{ items: { status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (items) => items[0]?.status === 'cancelled',
      'the cancelled enrollment',
    );
    expect(enrollment[0]).toMatchObject({ status: 'cancelled', error: 'unpublished' });
    visitor.socket.close();
  });

  it('cancels a waiting run whose flow was unpublished a moment ago when its button is clicked at once', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, {
      name: 'Buttons',
      trigger: { type: 'event', name: 'go' },
      variables: [{ name: 'pick', type: 'text' }],
      start: 'q',
      nodes: [
        {
          id: 'q',
          type: 'ask_question',
          text: 'Pick one',
          input: {
            kind: 'buttons',
            options: [
              { label: 'Yes', value: 'yes', next: 'done' },
              { label: 'No', value: 'no', next: 'done' },
            ],
          },
          saveTo: 'variable.pick',
        },
        { id: 'done', type: 'send_message', text: 'The flow answered {{variable.pick}}' },
      ],
    });
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'go' });
    const asked = await said(visitor.socket, 'Pick one');
    // No waiting for the live view or the enrollment log (both fed by the queue): unpublish
    // while the visitor sees the buttons, then click one at once.
    const unpublished = await call(`/v1/admin/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(unpublished.status).toBe(200);
    const question = asked.findLast((m) => m.choices)!;
    visitor.socket.send({ type: 'choice', seq: question.seq, value: 'yes' });
    await said(visitor.socket, 'Fallback answer.');
    expect(texts(visitor.socket)).toEqual([
      ['pilot', 'Pick one'],
      ['visitor', 'Yes'],
      ['pilot', 'Fallback answer.'],
    ]);
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    expect(await stub.activeRunState()).toBeNull();
    const enrollment = await eventually(
      async () =>
        (
          await json<{ items: { status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (items) => items[0]?.status === 'cancelled',
      'the cancelled enrollment',
    );
    expect(enrollment[0]).toMatchObject({ status: 'cancelled', error: 'unpublished' });
    visitor.socket.close();
  });

  it('ends the flow on an agent reply, keeps the pilot quiet until release', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, question('Q'));
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'go' });
    await said(visitor.socket, 'Q: what do you need?');
    await indexed(visitor.conversationId);

    const reply = await call(`/v1/admin/conversations/${visitor.conversationId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'Hi, Grace here.' }),
    });
    expect(reply.status).toBe(201);
    await said(visitor.socket, 'Grace here');
    expect(await conversation(visitor.conversationId)).toMatchObject({ mode: 'agent', run: null });
    visitor.socket.send({ type: 'message', text: 'thanks Grace' });
    await visitor.socket.waitForMessages(
      (m) => m.some((x) => x.text === 'thanks Grace'),
      'my message',
    );

    const released = await call(`/v1/admin/conversations/${visitor.conversationId}/release`, {
      method: 'POST',
    });
    expect(await json(released)).toMatchObject({ mode: 'pilot' });
    visitor.socket.send({ type: 'message', text: 'back to the bot' });
    await said(visitor.socket, 'Fallback answer.');
    expect(texts(visitor.socket)).toEqual([
      ['pilot', 'Q: what do you need?'],
      ['agent', 'Hi, Grace here.'],
      ['visitor', 'thanks Grace'],
      ['visitor', 'back to the bot'],
      ['pilot', 'Fallback answer.'],
    ]);

    const closed = await json(
      await call(`/v1/admin/conversations/${visitor.conversationId}/close`, { method: 'POST' }),
    );
    expect(closed).toMatchObject({ status: 'closed' });
    await said(visitor.socket, 'The conversation was closed.');
    const list = await eventually(
      async () =>
        (
          await json<{ items: { id: string; status: string }[] }>(
            await call(`/v1/admin/conversations?pilotId=${pilotId}`),
          )
        ).items,
      (items) => items.some((c) => c.id === visitor.conversationId && c.status === 'closed'),
      'the closed conversation in the list',
    );
    expect(list).toHaveLength(1);
    visitor.socket.close();
  });

  it('answers unknown conversations and bad agent replies with 404 and 400', async () => {
    const missing = await call('/v1/admin/conversations/nope_123/messages', {
      method: 'POST',
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(missing.status).toBe(404);
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'message', text: 'hello' });
    await said(visitor.socket, 'Fallback answer.');
    const empty = await call(`/v1/admin/conversations/${visitor.conversationId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: '' }),
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { issues: [{ path: 'text' }] } });
    visitor.socket.close();
  });
});
