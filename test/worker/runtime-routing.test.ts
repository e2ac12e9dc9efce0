import { describe, expect, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import { hmacHex } from '../helpers/identity-hash.ts';
import { openSocket, startSession } from '../helpers/socket.ts';
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

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', body: JSON.stringify(body) });
const say = (id: string, text: string, next?: string) => ({
  id,
  type: 'send_message' as const,
  text,
  ...(next ? { next } : {}),
});

// The admin routes answer a conversation once the queue has indexed it.
const conversation = async (id: string) => {
  await indexed(id);
  return json<{ status: string; assignee: string | null; run: unknown }>(
    await call(`/v1/admin/conversations/${id}`),
  );
};

describe('routing of visitor messages', () => {
  it('answers the waiting question first, else starts the intent flow, else falls back', async () => {
    const { pilotId, publicKey } = await createPilot();
    const intent = await post(`/v1/admin/pilots/${pilotId}/intents`, {
      name: 'order_status',
      trainingPhrases: [
        'where is my order',
        'track my package',
        'has my parcel shipped yet',
        'when will my order arrive',
        'status of my delivery',
      ],
    });
    expect(intent.status).toBe(201);
    await publishFlow(pilotId, {
      name: 'Track order',
      trigger: { type: 'intent_detected', intents: ['order_status'], minConfidence: 0.3 },
      start: 'm',
      nodes: [say('m', 'Let me look up your order.')],
    });
    await publishFlow(pilotId, {
      name: 'Feedback',
      trigger: { type: 'event', name: 'feedback' },
      variables: [{ name: 'note', type: 'text' }],
      start: 'q',
      nodes: [
        {
          id: 'q',
          type: 'ask_question',
          text: 'Any feedback?',
          input: { kind: 'text' },
          saveTo: 'variable.note',
          next: 'thanks',
        },
        say('thanks', 'Noted: {{variable.note}}'),
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'feedback' });
    await said(socket, 'Any feedback?');
    socket.send({ type: 'message', text: 'where is my order' });
    await said(socket, 'Noted: where is my order');
    socket.send({ type: 'message', text: 'where is my order' });
    await said(socket, 'Let me look up your order.');
    socket.send({ type: 'message', text: 'zebra quantum marmalade' });
    await said(socket, 'Fallback answer.');
    expect(texts(socket)).toEqual([
      ['pilot', 'Any feedback?'],
      ['visitor', 'where is my order'],
      ['pilot', 'Noted: where is my order'],
      ['visitor', 'where is my order'],
      ['pilot', 'Let me look up your order.'],
      ['visitor', 'zebra quantum marmalade'],
      ['pilot', 'Fallback answer.'],
    ]);
    socket.close();
  });
});

describe('flow effects on the conversation', () => {
  it("go_to_flow starts the target's published version, assign round robin picks an online agent, close_conversation closes", async () => {
    const { pilotId, publicKey } = await createPilot();
    const offline = await json<{ id: string }>(
      await post('/v1/admin/users', {
        name: 'Off Line',
        email: `off-${crypto.randomUUID()}@example.com`,
      }),
    );
    const online = await json<{ id: string }>(
      await post('/v1/admin/users', {
        name: 'On Line',
        email: `on-${crypto.randomUUID()}@example.com`,
      }),
    );
    const team = await json<{ id: string }>(
      await post('/v1/admin/teams', { name: 'Sales', members: [offline.id, online.id] }),
    );
    const presence = await call(`/v1/admin/users/${online.id}/presence`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'online' }),
    });
    expect(presence.status).toBe(200);

    const target = {
      name: 'Target',
      trigger: { type: 'event' as const, name: 'never' },
      start: 'm',
      nodes: [
        say('m', 'Target v1', 'assign'),
        {
          id: 'assign',
          type: 'assign' as const,
          to: { kind: 'round_robin' as const, teamId: team.id },
          next: 'bye',
          unavailable: 'bye',
        },
        { id: 'bye', type: 'close_conversation' as const },
      ],
    };
    const { flowId: targetId } = await publishFlow(pilotId, target);
    await republish(targetId, pilotId, {
      ...target,
      nodes: [say('m', 'Target v2', 'assign'), ...target.nodes.slice(1)],
    });
    await publishFlow(pilotId, {
      name: 'Jump',
      trigger: { type: 'event', name: 'jump' },
      start: 'm',
      nodes: [say('m', 'Jumping', 'go'), { id: 'go', type: 'go_to_flow', flowId: targetId }],
    });

    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'jump' });
    await said(visitor.socket, 'Target v2');
    const closed = await conversation(visitor.conversationId);
    expect(closed).toMatchObject({ status: 'closed', assignee: `user:${online.id}`, run: null });
    expect(texts(visitor.socket)).toEqual([
      ['pilot', 'Jumping'],
      ['pilot', 'Target v2'],
    ]);
    visitor.socket.close();
  });

  it('assigns round robin in turn among the online members of the team, never to one who is offline', async () => {
    const { pilotId, publicKey } = await createPilot();
    const user = async (name: string) =>
      json<{ id: string }>(
        await post('/v1/admin/users', { name, email: `${crypto.randomUUID()}@example.com` }),
      );
    const members = [await user('Ada'), await user('Bo'), await user('Cy')];
    const team = await json<{ id: string }>(
      await post('/v1/admin/teams', { name: 'Support', members: members.map((m) => m.id) }),
    );
    const online = members.slice(0, 2).map((m) => m.id);
    for (const id of online)
      await call(`/v1/admin/users/${id}/presence`, {
        method: 'PUT',
        body: JSON.stringify({ status: 'online' }),
      });
    await publishFlow(pilotId, {
      name: 'Route',
      trigger: { type: 'event', name: 'help' },
      start: 'assign',
      nodes: [
        {
          id: 'assign',
          type: 'assign',
          to: { kind: 'round_robin', teamId: team.id },
          next: 'done',
          unavailable: 'nobody',
        },
        say('done', 'A teammate will take it from here.'),
        say('nobody', 'Nobody is around.'),
      ],
    });
    const assignees: (string | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const visitor = await visit(publicKey);
      visitor.socket.send({ type: 'event', name: 'help' });
      await said(visitor.socket, 'A teammate will take it from here.');
      assignees.push((await conversation(visitor.conversationId)).assignee);
      visitor.socket.close();
    }
    const [first, second] = [...online].sort().map((id) => `user:${id}`);
    expect(assignees).toEqual([first, second, first, second]);
  });

  it('fails a run that executes more than 200 nodes for one event with step_limit', async () => {
    const { pilotId, publicKey } = await createPilot();
    // No cycles (the validator refuses loops without a question): a chain longer than the limit.
    const chain = Array.from({ length: 205 }, (_, i) => ({
      id: `n${i}`,
      type: 'set_variable' as const,
      assignments: [{ target: 'variable.n', op: 'increment' as const, value: 1 }],
      ...(i < 204 ? { next: `n${i + 1}` } : {}),
    }));
    const { flowId } = await publishFlow(pilotId, {
      name: 'Long chain',
      trigger: { type: 'event', name: 'loop' },
      variables: [{ name: 'n', type: 'number', default: 0 }],
      start: 'n0',
      nodes: chain,
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'loop' });
    socket.send({ type: 'message', text: 'hello' });
    await said(socket, 'Fallback answer.');
    const runs = await eventually(
      async () =>
        (
          await json<{ items: { status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (items) => items.length === 1 && items[0]?.status !== 'waiting',
      'the failed run in the log',
    );
    expect(runs).toMatchObject([{ status: 'failed', error: 'step_limit' }]);
    socket.close();
  });
});

describe('frequency once per contact', () => {
  it('runs a once flow once for a contact who comes back identified on another device', async () => {
    // A contact is someone whose identify carries a valid hash (SPEC 3.1).
    const identitySecret = 'routing-identity-secret-0123456789';
    const { pilotId, publicKey } = await createPilot({ identitySecret });
    const { flowId } = await publishFlow(pilotId, {
      name: 'Once',
      trigger: { type: 'event', name: 'go' },
      settings: { frequency: 'once' },
      start: 'm',
      nodes: [say('m', 'Only once for you')],
    });
    const userId = `user-${crypto.randomUUID()}`;
    const hash = await hmacHex(identitySecret, userId);
    const shown: string[][] = [];
    for (const device of ['laptop', 'phone']) {
      // Each device had its own anonymous visitor before the contact identified.
      const deviceVisitor = (await startSession(publicKey)).body!.visitorKey!;
      const { body } = await startSession(publicKey, deviceVisitor, 'http://localhost:8787', {
        userId,
        hash,
      });
      const socket = await openSocket(body!.conversationId, body!.token);
      socket.send({ type: 'event', name: 'go' });
      socket.send({ type: 'message', text: `from the ${device}` });
      await said(socket, 'Fallback answer.');
      shown.push(
        socket
          .messages()
          .filter((m) => m.text === 'Only once for you')
          .map((m) => m.text),
      );
      socket.close();
    }
    // Both devices show the one conversation of the contact, with the flow's message once.
    expect(shown).toEqual([['Only once for you'], ['Only once for you']]);
    await eventually(
      async () =>
        (await json<{ items: unknown[] }>(await call(`/v1/admin/flows/${flowId}/enrollments`)))
          .items,
      (items) => items.length === 1,
      'one enrollment for the contact',
    );
    // Another visitor is another subject: the flow runs for them.
    const stranger = await visit(publicKey);
    stranger.socket.send({ type: 'event', name: 'go' });
    await said(stranger.socket, 'Only once for you');
    stranger.socket.close();
  });
});
