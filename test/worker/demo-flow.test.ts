/**
 * The seeded demo flow as a first visitor meets it: a question typed while the greeting's
 * buttons are shown is answered (from the knowledge base, or honestly not), and a request for a
 * person with nobody online ends in an email the pilot keeps, not in a promise nobody keeps.
 */
import { describe, expect, it } from 'vitest';
import { seed } from '../helpers/admin.ts';
import { openSocket, startSession, type TestSocket } from '../helpers/socket.ts';

async function greeted(): Promise<TestSocket> {
  const { publicKey } = await seed();
  const { body } = await startSession(publicKey);
  const socket = await openSocket(body!.conversationId, body!.token);
  socket.send({ type: 'page_view', page: { url: 'http://localhost:8787/' } });
  await socket.waitForMessages((m) => m.some((x) => x.choices), 'the question with buttons');
  return socket;
}

const pilotSaid = (socket: TestSocket, text: string) =>
  socket.waitForMessages(
    (m) => m.some((x) => x.author === 'pilot' && x.text.includes(text)),
    `the pilot saying "${text}"`,
  );

describe('the demo flow', () => {
  it('answers a question typed instead of a button from the knowledge base, with its citation', async () => {
    const socket = await greeted();
    socket.send({ type: 'message', text: 'How long does delivery take?' });
    const messages = await pilotSaid(socket, '3 to 5 business days');
    const answer = messages.find((m) => m.text.includes('3 to 5 business days'))!;
    expect(answer.links?.map((l) => l.label)).toContain('Shipping and delivery');
    expect(messages.some((m) => m.text === 'Please pick one of the options.')).toBe(false);
    socket.close();
  });

  it('says honestly that it has no answer to an unrelated question typed at the buttons', async () => {
    const socket = await greeted();
    socket.send({ type: 'message', text: 'What is the capital of Mongolia?' });
    const messages = await pilotSaid(socket, "I don't have an answer to that yet.");
    expect(messages.some((m) => /follow up|get back to you/i.test(m.text))).toBe(false);
    socket.close();
  });

  it('takes a request for a person with nobody online to an email, and thanks with it', async () => {
    const socket = await greeted();
    socket.send({ type: 'message', text: 'I want to talk to a person' });
    await pilotSaid(socket, 'Nobody is online right now.');
    socket.send({ type: 'message', text: 'ada@example.com' });
    await pilotSaid(socket, 'Thanks, we will write to ada@example.com.');
    socket.close();
  });
});
