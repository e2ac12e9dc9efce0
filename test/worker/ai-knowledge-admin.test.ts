import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  MAX_ASKERS_PER_QUESTION,
  MAX_QUESTION_CHARS,
  MAX_QUESTIONS_PER_CONVERSATION,
  MAX_SEEN_EVENTS,
  MAX_UNANSWERED,
  TRIM_SEEN_EVERY,
} from '../../worker/knowledge/unanswered-store.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, said, visit } from './runtime-helpers.ts';

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', body: JSON.stringify(body) });

interface AskResult {
  outcome: string;
  reply: string | null;
  citations: { title: string; url: string }[];
  confidence: number;
  coverage: number;
  minConfidence: number;
  bestArticle: { title: string; url: string } | null;
  why: string;
}
interface Unanswered {
  items: { question: string; count: number; firstAskedAt: number; lastAskedAt: number }[];
}

/** A pilot with three articles; two of them are about gifts. */
async function knowledgePilot() {
  const { pilotId, publicKey } = await createPilot();
  const base = `/v1/admin/pilots/${pilotId}`;
  for (const article of [
    {
      title: 'Gift wrapping',
      url: 'https://help.example.com/gift-wrapping',
      body: 'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
    },
    {
      title: 'Gift cards',
      url: 'https://help.example.com/gift-cards',
      body: 'Gift cards are sold in amounts from 10 to 200 euros and never expire.',
    },
    {
      title: 'Shipping times',
      url: 'https://help.example.com/shipping',
      body: 'Orders within Germany arrive in 2 to 3 business days. Express arrives the next day.',
    },
  ])
    expect((await post(`${base}/knowledge`, article)).status).toBe(201);
  return { pilotId, publicKey, base };
}

const unanswered = async (base: string) =>
  json<Unanswered>(await call(`${base}/unanswered-questions`));

describe('ask the pilot (admin)', () => {
  it('gives the answer a visitor would get, with its citation, confidence and why', async () => {
    const { base } = await knowledgePilot();
    const result = await json<AskResult>(
      await post(`${base}/ask`, { question: 'How much is gift wrapping?' }),
    );
    expect(result).toMatchObject({
      outcome: 'answered',
      reply: 'Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.',
      citations: [{ title: 'Gift wrapping', url: 'https://help.example.com/gift-wrapping' }],
      bestArticle: { title: 'Gift wrapping' },
    });
    expect(result.confidence).toBeGreaterThanOrEqual(result.minConfidence);
    expect(result.why).toContain('Gift wrapping');
  });

  it('says why it would not answer, and what the visitor would read instead', async () => {
    const { base } = await knowledgePilot();
    const result = await json<AskResult>(
      await post(`${base}/ask`, { question: 'do you sell bicycles?' }),
    );
    expect(result).toMatchObject({ outcome: 'noAnswer', reply: 'Fallback answer.', citations: [] });
    expect(result.why).not.toBe('');
    const handover = await json<AskResult>(
      await post(`${base}/ask`, { question: 'can I talk to a real person?' }),
    );
    expect(handover).toMatchObject({ outcome: 'handoverRequested', reply: null });
  });

  it('refuses a missing or oversized question naming the field, and an unknown pilot', async () => {
    const { base } = await knowledgePilot();
    for (const body of [{}, { question: '   ' }, { question: 'x'.repeat(2001) }]) {
      const response = await post(`${base}/ask`, body);
      expect(response.status).toBe(400);
      const error = await response.json<{ error: { issues: { path: string }[] } }>();
      expect(error.error.issues.map((i) => i.path)).toContain('question');
    }
    const unknownField = await post(`${base}/ask`, { question: 'hi', debug: true });
    expect(unknownField.status).toBe(400);
    expect((await post('/v1/admin/pilots/pilot_nope/ask', { question: 'hi' })).status).toBe(404);
  });
});

describe('unanswered questions (admin to-do list)', () => {
  it('lists what visitors asked that the knowledge could not answer, counted once per question', async () => {
    const { publicKey, base } = await knowledgePilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'Do you sell bicycles?' });
    await said(socket, 'Fallback answer.');
    socket.send({ type: 'message', id: 'm2', text: 'do you  sell bicycles' });
    socket.send({ type: 'message', id: 'm3', text: 'How much is gift wrapping?' });
    await said(socket, '3 euros per item');
    socket.close();
    const list = await eventually(
      () => unanswered(base),
      (value) => value.items[0]?.count === 2,
      'the repeated question counted twice',
    );
    // The answered question is not on the list; the repeated one is one row.
    expect(list.items.map((i) => [i.question, i.count])).toEqual([['do you  sell bicycles', 2]]);
    expect(list.items[0]?.lastAskedAt).toBeGreaterThanOrEqual(list.items[0]?.firstAskedAt ?? 0);
  });

  it("records questions a flow's ai_answer sent down its noAnswer path", async () => {
    const { pilotId, publicKey, base } = await knowledgePilot();
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
        { id: 'answer', type: 'ai_answer', noAnswer: 'unknown', next: 'ask' },
        { id: 'unknown', type: 'send_message', text: 'No idea, sorry.', next: 'ask' },
      ],
    });
    const { socket } = await visit(publicKey);
    await said(socket, 'What would you like to know?');
    socket.send({ type: 'message', id: 'm1', text: 'what is the airspeed of a swallow?' });
    await said(socket, 'No idea, sorry.');
    socket.close();
    await eventually(
      () => unanswered(base),
      (value) => value.items.some((i) => i.question === 'what is the airspeed of a swallow?'),
      'the flow question listed',
    );
  });

  it('is cleared by the admin, and its query is strict and bounded', async () => {
    const { publicKey, base } = await knowledgePilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', id: 'm1', text: 'Do you repair bicycles?' });
    await said(socket, 'Fallback answer.');
    socket.close();
    await eventually(
      () => unanswered(base),
      (value) => value.items.length === 1,
      'one question listed',
    );
    const cleared = await call(`${base}/unanswered-questions`, { method: 'DELETE' });
    expect(await json(cleared)).toEqual({ cleared: true });
    expect((await unanswered(base)).items).toEqual([]);
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?cursor=x', '?sort=count']) {
      const response = await call(`${base}/unanswered-questions${query}`);
      expect(response.status, query).toBe(400);
    }
  });
});

describe('unanswered questions are bounded', () => {
  it('keeps at most 500 questions (the least recently asked go) of at most 500 characters', async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`bounded-${crypto.randomUUID()}`));
    for (let i = 0; i < MAX_UNANSWERED + 20; i++) await stub.noteUnanswered(`question ${i}?`, i);
    await stub.noteUnanswered(`${'long '.repeat(200)}?`, 10_000);
    const items = await stub.unansweredList(10_000);
    expect(items).toHaveLength(MAX_UNANSWERED);
    expect(items.some((i) => i.question === 'question 0?')).toBe(false);
    expect(items.some((i) => i.question === `question ${MAX_UNANSWERED + 19}?`)).toBe(true);
    expect(Math.max(...items.map((i) => i.question.length))).toBe(MAX_QUESTION_CHARS);
  });

  it(`takes at most ${MAX_QUESTIONS_PER_CONVERSATION} questions from one conversation, and a flood of strangers' one-off questions does not push out what several visitors asked`, async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`flood-${crypto.randomUUID()}`));
    const junk = (conversation: string, n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({
        id: `flood_${conversation}_${from + i}`,
        question: `junk ${conversation} ${from + i}`,
        at: 1_000 + from + i,
        conversationId: conversation,
      }));
    // One conversation, in two batches: only its first MAX_QUESTIONS_PER_CONVERSATION count.
    await stub.noteUnansweredMany(junk('conv_one', 15));
    await stub.noteUnansweredMany(junk('conv_one', 15, 15));
    const listed = await stub.unansweredList(100);
    expect(listed).toHaveLength(MAX_QUESTIONS_PER_CONVERSATION);
    expect(listed.some((row) => row.question === 'junk conv_one 25')).toBe(false);
    // What two visitors asked (long ago), and what one visitor asked.
    await stub.noteUnansweredMany([
      { id: 'real_1', question: 'Do you ship to Mars?', at: 1, conversationId: 'conv_a' },
      { id: 'real_2', question: 'do you ship to mars', at: 2, conversationId: 'conv_b' },
      { id: 'real_3', question: 'Is there a student discount?', at: 3, conversationId: 'conv_c' },
    ]);
    // Then a flood: more fresh one-off questions than the list holds, from many conversations.
    const conversations = Math.ceil((MAX_UNANSWERED + 100) / MAX_QUESTIONS_PER_CONVERSATION);
    for (let c = 0; c < conversations; c++)
      await stub.noteUnansweredMany(
        junk(`conv_flood_${c}`, MAX_QUESTIONS_PER_CONVERSATION, 100_000),
      );
    const after = await stub.unansweredList(MAX_UNANSWERED);
    expect(after).toHaveLength(MAX_UNANSWERED);
    expect(after.find((row) => row.question === 'do you ship to mars')?.count).toBe(2);
    // A one-off question is as exposed as the flood's own: the least recently asked go first.
    expect(after.some((row) => row.question === 'Is there a student discount?')).toBe(false);
  });

  it('remembers at most 50 askers of one question (the most recent), however many asked', async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`askers-${crypto.randomUUID()}`));
    const asks = MAX_ASKERS_PER_QUESTION + 10;
    const items = Array.from({ length: asks }, (_, i) => ({
      question: 'Do you ship to Mars?',
      at: i,
      conversationId: `conv_${i}`,
    }));
    await stub.noteUnansweredMany(items.slice(0, 30));
    await stub.noteUnansweredMany(items.slice(30));
    const askers = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ conversation_id: string }>('SELECT conversation_id FROM unanswered_askers')
        .toArray()
        .map((row) => row.conversation_id),
    );
    expect(askers).toHaveLength(MAX_ASKERS_PER_QUESTION);
    expect(askers).not.toContain('conv_0');
    expect(askers).toContain(`conv_${asks - 1}`);
    expect((await stub.unansweredList(10))[0]?.count).toBe(asks);
  });

  it('counts a big batch as if each question came alone: repeats folded, wording and times kept, asks per asker erasable', async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`fold-${crypto.randomUUID()}`));
    // 450 asks (more than one statement's worth) of three questions, in two spellings, by
    // three conversations, ids all different.
    const items = Array.from({ length: 450 }, (_, i) => ({
      id: `unanswered_fold_${i}`,
      question: i % 2 ? `Do you ship to planet ${i % 3}?` : `do you  ship to PLANET ${i % 3}`,
      at: 1_000 + i,
      conversationId: `conv_${i % 3 === 0 ? i % 2 : 2}`,
    }));
    await stub.noteUnansweredMany(items);
    const list = await stub.unansweredList(10);
    expect(list.map((row) => row.count)).toEqual([150, 150, 150]);
    for (const planet of [0, 1, 2]) {
      const asks = items.filter((_, i) => i % 3 === planet);
      const row = list.find((r) => r.question.toLowerCase().includes(`planet ${planet}`));
      expect(row?.firstAskedAt).toBe(asks[0]?.at);
      expect(row?.lastAskedAt).toBe(asks.at(-1)?.at);
      expect(row?.question).toBe(asks.at(-1)?.question.trim());
    }
    // Planet 0 was asked by conv_0 (75 times) and conv_1 (75): erasing conv_0 takes its asks out.
    await stub.forget(['conv_0'], []);
    const after = await stub.unansweredList(10);
    expect(after.find((r) => r.question.toLowerCase().includes('planet 0'))?.count).toBe(75);
    expect(after.filter((r) => r.count === 150)).toHaveLength(2);
  });

  it('keeps the askers cap and erasure working for a question with a lone surrogate (typed, or an emoji cut at the limit)', async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`surrogate-${crypto.randomUUID()}`));
    const asks = MAX_ASKERS_PER_QUESTION + 10;
    const questions = ['Do you ship to Mars?\ud800', `${'a'.repeat(MAX_QUESTION_CHARS - 1)}😀`];
    const items = Array.from({ length: 2 * asks }, (_, i) => ({
      id: `unanswered_surrogate_${i}`,
      question: questions[i % 2] as string,
      at: i,
      conversationId: `conv_${i}`,
    }));
    await stub.noteUnansweredMany(items);
    const askers = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ n: number }>('SELECT COUNT(*) AS n FROM unanswered_askers GROUP BY key')
        .toArray()
        .map((row) => row.n),
    );
    // Two questions (no third key from a spelling that reads back differently), each capped.
    expect(askers).toEqual([MAX_ASKERS_PER_QUESTION, MAX_ASKERS_PER_QUESTION]);
    const list = await stub.unansweredList(10);
    expect(list.map((row) => row.count)).toEqual([asks, asks]);
    expect(list.some((row) => row.question === 'Do you ship to Mars?\uFFFD')).toBe(true);
    // Erasing the newest asker of each finds its question again (the key read back matches).
    await stub.forget([`conv_${2 * asks - 1}`, `conv_${2 * asks - 2}`], []);
    expect((await stub.unansweredList(10)).map((row) => row.count)).toEqual([asks - 1, asks - 1]);
  });

  it(`remembers at most ${MAX_SEEN_EVENTS} counted event ids (plus one trim's worth) and counts a recent redelivery once`, async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`seen-${crypto.randomUUID()}`));
    const total = MAX_SEEN_EVENTS + 2 * TRIM_SEEN_EVERY + 7;
    const item = (i: number) => ({
      id: `unanswered_${i}`,
      question: `question ${i % 5}?`,
      at: i,
      conversationId: null,
    });
    for (let from = 0; from < total; from += 500)
      await stub.noteUnansweredMany(
        Array.from({ length: Math.min(500, total - from) }, (_, k) => item(from + k)),
      );
    const counted = async () =>
      (await stub.unansweredList(10)).reduce((sum, row) => sum + row.count, 0);
    expect(await counted()).toBe(total);
    const seen = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM unanswered_seen').one(),
    );
    expect(seen.n).toBeLessThanOrEqual(MAX_SEEN_EVENTS + TRIM_SEEN_EVERY);
    expect(seen.n).toBeGreaterThanOrEqual(MAX_SEEN_EVENTS);
    // The newest 500 delivered again, twice, and in one batch with themselves: nothing counts.
    const recent = Array.from({ length: 500 }, (_, k) => item(total - 1 - k));
    await stub.noteUnansweredMany([...recent, ...recent]);
    await stub.noteUnansweredMany(recent);
    expect(await counted()).toBe(total);
    // The documented limit: an id older than the newest MAX_SEEN_EVENTS is forgotten.
    await stub.noteUnansweredMany([item(0)]);
    expect(await counted()).toBe(total + 1);
  });
});

describe('an AI answer that returns after an erasure', () => {
  it("does not store the erased visitor's unanswered question through the old runtime", async () => {
    const { publicKey } = await knowledgePilot();
    const { socket, conversationId } = await visit(publicKey);
    socket.send({ type: 'message', text: 'Hello' });
    await said(socket, 'Fallback answer.');
    socket.close();
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
    await runInDurableObject(stub, async (instance, state) => {
      type Services = { answer(question: string): Promise<{ kind: string }> };
      const runtime = (
        instance as unknown as {
          runtime: { retire(): void; effects: { services(): Services } };
        }
      ).runtime;
      // The `ai_answer` effect asked the AI; meanwhile the conversation was erased (retired).
      const services = runtime.effects.services();
      runtime.retire();
      const answer = await services.answer('Do you sell bicycles?');
      expect(answer.kind).toBe('noAnswer');
      const bodies = state.storage.sql
        .exec<{ body: string }>('SELECT body FROM outgoing')
        .toArray()
        .map((row) => row.body);
      expect(bodies.join('\n')).not.toContain('bicycles');
    });
  });
});
