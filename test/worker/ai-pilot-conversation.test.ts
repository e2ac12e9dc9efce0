import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { pilotAiKey } from '../../worker/ai/pilot-ai.ts';
import { NO_AGENT_TEXT } from '../../worker/conversation/visitor-turn.ts';
import { call } from '../helpers/admin.ts';
import type { TestSocket } from '../helpers/socket.ts';
import { createPilot, indexed, json, publishFlow, said, texts, visit } from './runtime-helpers.ts';

const pilotMessages = (socket: TestSocket) => socket.messages().filter((m) => m.author === 'pilot');

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', body: JSON.stringify(body) });

const orderStatus = {
  name: 'order_status',
  description: 'The visitor asks where an order is',
  trainingPhrases: [
    'where is my order',
    'track my package',
    'has my parcel shipped yet',
    'when will my order arrive',
    'status of my delivery',
    'my order has not arrived',
  ],
};
const openingHours = {
  name: 'opening_hours',
  trainingPhrases: [
    'when are you open',
    'what are your opening hours',
    'are you open on sunday',
    'what time do you close',
    'business hours please',
  ],
};

/** A pilot that knows intents, an order-number entity, a global and one article. */
async function aiPilot() {
  const { pilotId, publicKey } = await createPilot();
  const base = `/v1/admin/pilots/${pilotId}`;
  for (const intent of [orderStatus, openingHours])
    expect((await post(`${base}/intents`, intent)).status).toBe(201);
  await json(
    await post(`${base}/entities`, { kind: 'regex', name: 'order_number', pattern: 'SO-\\d{4,8}' }),
  );
  await json(await post(`${base}/variables`, { name: 'shop_name', value: 'Acme' }));
  await json(
    await post(`${base}/knowledge`, {
      title: 'Gift wrapping',
      url: 'https://help.example.com/gift-wrapping',
      body: 'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
    }),
  );
  await publishFlow(pilotId, {
    name: 'Order status',
    trigger: { type: 'intent_detected', intents: ['order_status'], minConfidence: 0.3 },
    variables: [{ name: 'order', type: 'text' }],
    start: 'have_number',
    nodes: [
      {
        id: 'have_number',
        type: 'condition',
        branches: [{ when: { field: 'entity.order_number', op: 'is_not_empty' }, next: 'found' }],
        else: 'ask',
      },
      {
        id: 'found',
        type: 'send_message',
        text: '{{pilot.shop_name}} is looking up {{entity.order_number}} (you asked: "{{system.last_utterance}}").',
      },
      {
        id: 'ask',
        type: 'ask_question',
        text: 'Which order? It looks like SO-12345.',
        input: { kind: 'text' },
        saveTo: 'variable.order',
        next: 'thanks',
      },
      { id: 'thanks', type: 'send_message', text: 'Checking {{variable.order}}.' },
    ],
  });
  return { pilotId, publicKey, base };
}

/** The contact fields the conversation stored (what flows read as `contact.*`). */
async function storedContact(conversationId: string): Promise<Record<string, unknown>> {
  const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
  const rows = await runInDurableObject(stub, (_instance, state) =>
    state.storage.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'contact'")
      .toArray(),
  );
  return rows[0] ? (JSON.parse(rows[0].value) as Record<string, unknown>) : {};
}

/** Nobody at the desk: every user of the (shared) test workspace set offline. */
async function everyoneOffline() {
  const users = await json<{ items: { id: string }[] }>(await call('/v1/admin/users?limit=100'));
  for (const user of users.items) {
    const response = await call(`/v1/admin/users/${user.id}/presence`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'offline' }),
    });
    expect(response.status).toBe(200);
  }
}

/**
 * A handed-over conversation before anyone writes: the visitor's question (frame `id`) is still
 * answered from knowledge; then `name` replies from the console and the visitor sees it.
 */
async function answeredUntilAgentWrites(
  socket: TestSocket,
  conversationId: string,
  id: string,
  name: string,
) {
  socket.send({ type: 'message', id, text: 'how much does gift wrapping cost?' });
  await said(socket, '3 euros per item');
  const reply = await call(`/v1/admin/conversations/${conversationId}/messages`, {
    method: 'POST',
    body: JSON.stringify({ text: `Hi, ${name} here.` }),
  });
  expect(reply.status).toBe(201);
  await said(socket, `${name} here`);
}

describe('the AI pilot in a conversation', () => {
  it('refuses intents with a bad name or fewer than five phrases, naming the field', async () => {
    const { pilotId } = await createPilot();
    const base = `/v1/admin/pilots/${pilotId}/intents`;
    const badName = await post(base, { ...orderStatus, name: '2nd_try' });
    expect(badName.status).toBe(400);
    const nameError = await badName.json<{ error: { issues: { path: string }[] } }>();
    expect(nameError.error.issues.map((i) => i.path)).toContain('name');
    const few = await post(base, { ...orderStatus, trainingPhrases: ['a', 'b', 'c', 'd'] });
    expect(few.status).toBe(400);
    const fewError = await few.json<{ error: { issues: { path: string }[] } }>();
    expect(fewError.error.issues.map((i) => i.path)).toContain('trainingPhrases');
  });

  it('starts the intent flow from a visitor message with the entity, pilot global and words', async () => {
    const { publicKey } = await aiPilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'where is my order SO-98765?' });
    await said(socket, 'is looking up');
    expect(texts(socket).at(-1)).toEqual([
      'pilot',
      'Acme is looking up SO-98765 (you asked: "where is my order SO-98765?").',
    ]);
    socket.close();
  });

  it('asks for the order number when the message did not contain it', async () => {
    const { publicKey } = await aiPilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'has my parcel shipped?' });
    await said(socket, 'Which order?');
    socket.send({ type: 'message', id: 'm2', text: 'SO-4242' });
    await said(socket, 'Checking SO-4242.');
    socket.close();
  });

  it('answers other questions from the knowledge, else with the fallback', async () => {
    const { publicKey } = await aiPilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'how much does gift wrapping cost?' });
    await said(socket, '3 euros');
    // Extractive answer; its citation is a link under it.
    expect(texts(socket).at(-1)).toEqual([
      'pilot',
      'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
    ]);
    expect(pilotMessages(socket).at(-1)?.links).toEqual([
      { label: 'Gift wrapping', url: 'https://help.example.com/gift-wrapping' },
    ]);
    socket.send({ type: 'message', id: 'm2', text: 'do you sell bicycles?' });
    await said(socket, 'Fallback answer.');
    socket.close();
  });

  it('an ai_answer node answers with a citation, and routes a request for a human', async () => {
    const { pilotId, publicKey } = await aiPilot();
    await publishFlow(pilotId, {
      name: 'Ask me anything',
      trigger: { type: 'new_conversation' },
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'What would you like to know?',
          input: { kind: 'text' },
          next: 'answer',
        },
        {
          id: 'answer',
          type: 'ai_answer',
          noAnswer: 'unknown',
          handoverRequested: 'human',
          next: 'ask',
        },
        { id: 'unknown', type: 'send_message', text: 'No idea, sorry.', next: 'ask' },
        { id: 'human', type: 'send_message', text: 'Getting a person for you.' },
      ],
    });
    const { socket } = await visit(publicKey);
    await said(socket, 'What would you like to know?');
    socket.send({ type: 'message', id: 'm1', text: 'can I add a personal note to gift wrapping?' });
    await said(socket, 'personal note');
    expect(pilotMessages(socket).at(-1)?.links).toEqual([
      { label: 'Gift wrapping', url: 'https://help.example.com/gift-wrapping' },
    ]);
    socket.send({ type: 'message', id: 'm2', text: 'what is the airspeed of a swallow?' });
    await said(socket, 'No idea, sorry.');
    socket.send({ type: 'message', id: 'm3', text: 'let me talk to a real person' });
    await said(socket, 'Getting a person for you.');
    socket.close();
  });

  it('hands the conversation to an available person, keeps answering until one replies, then stays quiet', async () => {
    const { publicKey } = await aiPilot();
    const agent = await json<{ id: string }>(
      await post('/v1/admin/users', {
        name: 'Ada Agent',
        email: `ada-${crypto.randomUUID()}@example.com`,
      }),
    );
    const presence = await call(`/v1/admin/users/${agent.id}/presence`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'online' }),
    });
    expect(presence.status).toBe(200);
    const { socket, conversationId } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'can I talk to a real person?' });
    await said(socket, 'Connecting you with a person.');
    await indexed(conversationId);
    const handedOver = await json(await call(`/v1/admin/conversations/${conversationId}`));
    expect(handedOver).toMatchObject({ mode: 'agent' });
    // "Online" is only what the agent last set: until someone writes, the pilot still answers.
    await answeredUntilAgentWrites(socket, conversationId, 'm2', 'Ada');
    // A person has joined: a later flow-less message gets no pilot reply.
    socket.send({ type: 'message', id: 'm3', text: 'do you sell bicycles?' });
    await socket.waitForMessages(
      (messages) => messages.some((m) => m.text === 'do you sell bicycles?'),
      'the third visitor message stored',
    );
    socket.send({ type: 'message', id: 'm4', text: 'how much does gift wrapping cost?' });
    await socket.waitForMessages(
      (messages) => messages.filter((m) => m.text.includes('gift wrapping cost')).length === 2,
      'the fourth visitor message stored',
    );
    expect(texts(socket).filter(([author]) => author === 'pilot')).toEqual([
      ['pilot', 'Connecting you with a person. Someone will reply here shortly.'],
      [
        'pilot',
        'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
      ],
    ]);
    socket.close();
  });

  it("a flow's handover node without a message says so, and the pilot keeps answering until a person replies", async () => {
    // A hostile review: the demo's handover node has no text, so a visitor asking for a person
    // with an agent "online" got nothing, and the pilot stayed silent on every later question.
    const { pilotId, publicKey } = await aiPilot();
    await publishFlow(pilotId, {
      name: 'Person please',
      trigger: { type: 'event', name: 'human' },
      start: 'human',
      nodes: [
        { id: 'human', type: 'handover', next: 'done', unavailable: 'nobody' },
        { id: 'nobody', type: 'send_message', text: 'Nobody is here.', next: 'done' },
        { id: 'done', type: 'end' },
      ],
    });
    const agent = await json<{ id: string }>(
      await post('/v1/admin/users', {
        name: 'Bo Agent',
        email: `bo-${crypto.randomUUID()}@example.com`,
      }),
    );
    await call(`/v1/admin/users/${agent.id}/presence`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'online' }),
    });
    const { socket, conversationId } = await visit(publicKey);
    socket.send({ type: 'event', name: 'human' });
    await said(socket, 'Connecting you with a person. Someone will reply here shortly.');
    await indexed(conversationId);
    expect(await json(await call(`/v1/admin/conversations/${conversationId}`))).toMatchObject({
      mode: 'agent',
    });
    // Nobody has written yet: the visitor's question is still answered.
    await answeredUntilAgentWrites(socket, conversationId, 'm1', 'Bo');
    // A person has joined: now the pilot is quiet.
    socket.send({ type: 'message', id: 'm2', text: 'how much does gift wrapping cost?' });
    await socket.waitForMessages(
      (messages) => messages.filter((m) => m.text.includes('gift wrapping cost')).length === 2,
      'the second question stored',
    );
    expect(texts(socket).filter(([author]) => author === 'pilot')).toHaveLength(2);
    socket.close();
  });

  it('says honestly when nobody is available, offers to take an email and keeps answering', async () => {
    await everyoneOffline();
    const { publicKey } = await aiPilot();
    const { socket, conversationId } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'I want to talk to an agent' });
    await said(socket, 'Nobody from the team is available right now.');
    const offer = pilotMessages(socket).at(-1);
    expect(offer?.text).toBe(NO_AGENT_TEXT);
    expect(offer?.input).toBe('email_offer');
    socket.send({ type: 'message', id: 'm2', text: 'ada@example.com' });
    await said(socket, 'write to you at ada@example.com');
    await indexed(conversationId);
    const described = await json(await call(`/v1/admin/conversations/${conversationId}`));
    expect(described).toMatchObject({ mode: 'pilot' });
    expect(await storedContact(conversationId)).toMatchObject({ email: 'ada@example.com' });
    // Not a dead end: the pilot keeps answering from its knowledge.
    socket.send({ type: 'message', id: 'm3', text: 'how much does gift wrapping cost?' });
    await said(socket, '3 euros per item');
    socket.close();
  });

  it('takes a question instead of the email as a question, and a later address as text', async () => {
    await everyoneOffline();
    const { publicKey } = await aiPilot();
    const { socket, conversationId } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'connect me to a human' });
    await said(socket, 'Nobody from the team is available right now.');
    socket.send({ type: 'message', id: 'm2', text: 'how much does gift wrapping cost?' });
    await said(socket, '3 euros per item');
    // The offer lapsed with that message: an address now is not taken as the contact's email.
    socket.send({ type: 'message', id: 'm3', text: 'bob@example.com' });
    await said(socket, 'Fallback answer.');
    expect((await storedContact(conversationId)).email).toBeUndefined();
    socket.close();
  });

  it('does not take an unrelated request mentioning people as a handover', async () => {
    // Someone is online, so a misread request would hand over and silence the pilot.
    const agent = await json<{ id: string }>(
      await post('/v1/admin/users', { name: 'Bo', email: `bo-${crypto.randomUUID()}@example.com` }),
    );
    await json(
      await call(`/v1/admin/users/${agent.id}/presence`, {
        method: 'PUT',
        body: JSON.stringify({ status: 'online' }),
      }),
    );
    const { pilotId, publicKey } = await createPilot();
    await json(
      await post(`/v1/admin/pilots/${pilotId}/knowledge`, {
        title: 'Gift wrapping',
        url: 'https://help.example.com/gift-wrapping',
        body: 'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
      }),
    );
    const { socket } = await visit(publicKey);
    socket.send({
      type: 'message',
      id: 'm1',
      text: "I'd like to get a list of all people who ever sent me emails in gmail.",
    });
    await said(socket, 'Fallback answer.');
    socket.send({ type: 'message', id: 'm2', text: 'how much does gift wrapping cost?' });
    await said(socket, '3 euros per item');
    const replies = texts(socket).filter(([author]) => author === 'pilot');
    expect(replies.map(([, text]) => text?.slice(0, 18))).toEqual([
      'Fallback answer.',
      'Gift wrapping cost',
    ]);
    socket.close();
  });

  it('trains when intents change, never while visitors chat', async () => {
    const { pilotId, publicKey, base } = await aiPilot();
    const pointer = () => env.SNAPSHOTS.get(pilotAiKey(pilotId));
    const trained = await pointer();
    expect(trained).not.toBeNull();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'where is my order?' });
    await said(socket, 'Which order?');
    socket.close();
    expect(await pointer()).toBe(trained);
    await json(
      await post(`${base}/intents`, {
        name: 'refund',
        trainingPhrases: ['refund please', 'money back', 'return it', 'reimburse me', 'refund'],
      }),
    );
    expect(await pointer()).not.toBe(trained);
  });
});
