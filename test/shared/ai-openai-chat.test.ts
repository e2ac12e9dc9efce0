import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pilotAiSettingsSchema } from '../../shared/ai/ai-settings.ts';
import { LocalIntentDetector } from '../../shared/ai/local-intent-detector.ts';
import { OpenAiCompatibleChat } from '../../shared/ai/openai-chat.ts';
import { answerFromKnowledge } from '../../shared/knowledge/answer.ts';
import { KnowledgeIndex } from '../../shared/knowledge/knowledge-index.ts';
import { PilotAI } from '../../worker/ai/pilot-ai.ts';

// A real HTTP server speaking the chat-completions shape; each test scripts its reply.
let server: Server;
let baseUrl: string;
let reply: { status: number; content: string };
const received: {
  auth: string | undefined;
  body: { model: string; messages: { role: string; content: string }[] };
}[] = [];

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

beforeAll(async () => {
  server = createServer(async (request, response) => {
    received.push({ auth: request.headers.authorization, body: await readBody(request) });
    response.writeHead(reply.status, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply.content },
            finish_reason: 'stop',
          },
        ],
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

const index = KnowledgeIndex.build([
  {
    id: 'shipping',
    title: 'Shipping times',
    url: 'https://help.example.com/shipping',
    body: 'Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day when ordered before 2 pm.',
  },
  {
    id: 'returns',
    title: 'Returns',
    url: 'https://help.example.com/returns',
    body: 'You can return any item within 30 days of delivery for a full refund.',
  },
]);
const chat = () => new OpenAiCompatibleChat({ baseUrl, apiKey: 'sk-test', model: 'tiny-model' });

describe('grounded answers from an OpenAI-compatible endpoint', () => {
  it('sends the retrieved sources and the question, and returns the cited answer with links', async () => {
    reply = { status: 200, content: 'Express orders arrive the next business day [1].' };
    const answer = await answerFromKnowledge('How fast is express shipping?', index, {
      chat: chat(),
    });
    expect(answer).toMatchObject({
      kind: 'answered',
      text: 'Express orders arrive the next business day [1].',
      citations: [{ title: 'Shipping times', url: 'https://help.example.com/shipping' }],
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.auth).toBe('Bearer sk-test');
    expect(received[0]?.body.model).toBe('tiny-model');
    const prompt = received[0]?.body.messages.map((m) => m.content).join('\n') ?? '';
    expect(prompt).toContain('[1] Shipping times (https://help.example.com/shipping)');
    expect(prompt).toContain('Question: How fast is express shipping?');
  });

  it('says noAnswer when the model refuses because the sources do not cover it', async () => {
    reply = { status: 200, content: 'NO_ANSWER' };
    expect(
      await answerFromKnowledge('How fast is express shipping?', index, { chat: chat() }),
    ).toEqual({
      kind: 'noAnswer',
    });
  });

  it('says noAnswer when the model answers without citing any source', async () => {
    reply = { status: 200, content: 'Usually about a week, I think.' };
    expect(
      await answerFromKnowledge('How fast is express shipping?', index, { chat: chat() }),
    ).toEqual({
      kind: 'noAnswer',
    });
  });

  it('does not call the model at all when nothing in the knowledge matches', async () => {
    reply = { status: 200, content: 'Gift cards are sold online [1].' };
    expect(await answerFromKnowledge('Do you sell gift cards?', index, { chat: chat() })).toEqual({
      kind: 'noAnswer',
    });
    expect(received).toHaveLength(0);
  });

  it('falls back to the local extractive answer when the endpoint fails', async () => {
    reply = { status: 500, content: '' };
    const pilot = new PilotAI({
      detector: LocalIntentDetector.train([]),
      index,
      settings: pilotAiSettingsSchema.parse({ provider: 'openai_compatible' }),
      chat: chat(),
      builtAt: 0,
    });
    const answer = await pilot.answer('How fast is express shipping?');
    expect(received).toHaveLength(1);
    expect(answer).toMatchObject({
      kind: 'answered',
      citations: [{ url: 'https://help.example.com/shipping' }],
    });
    expect(answer.kind === 'answered' && answer.text).toContain('next business day');
  });
});
