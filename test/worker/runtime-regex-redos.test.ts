/**
 * A write-key holder publishes a flow whose `matches` condition backtracks polynomially on a
 * backtracking engine (`a*a*a*a*b`: minutes on 4,000 "a"s), then a visitor sends exactly that.
 * Flow regexes run on RE2 (shared/expr/regex.ts), so the conversation answers at once and
 * still branches correctly. On the old engine the Durable Object stalls and `said` times out.
 */
import { describe, expect, it } from 'vitest';
import { createPilot, publishFlow, said, texts, visit } from './runtime-helpers.ts';

const HOSTILE = 'a'.repeat(4000);

describe('flow regexes in a live conversation', () => {
  it('answers promptly when a visitor sends text made to stall an a*a*a*a*b condition', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Regex gate',
      trigger: { type: 'event', name: 'check' },
      start: 'q',
      variables: [{ name: 'msg', type: 'text' }],
      nodes: [
        {
          id: 'q',
          type: 'ask_question',
          text: 'Say something',
          input: { kind: 'text' },
          saveTo: 'variable.msg',
          next: 'gate',
        },
        {
          id: 'gate',
          type: 'condition',
          branches: [
            { when: { field: 'variable.msg', op: 'matches', value: 'a*a*a*a*b' }, next: 'yes' },
          ],
          else: 'no',
        },
        { id: 'yes', type: 'send_message', text: 'Matched', next: 'again' },
        { id: 'no', type: 'send_message', text: 'No match', next: 'again' },
        {
          id: 'again',
          type: 'ask_question',
          text: 'Once more',
          input: { kind: 'text' },
          saveTo: 'variable.msg',
          next: 'gate2',
        },
        {
          id: 'gate2',
          type: 'condition',
          branches: [
            { when: { field: 'variable.msg', op: 'matches', value: 'a*a*a*a*b' }, next: 'yes2' },
          ],
          else: 'no2',
        },
        { id: 'yes2', type: 'send_message', text: 'Second matched' },
        { id: 'no2', type: 'send_message', text: 'Second no match' },
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'check' });
    await said(socket, 'Say something');
    socket.send({ type: 'message', text: HOSTILE });
    // `said` gives up after 5 s; the old engine needs minutes for this message.
    await said(socket, 'No match');
    await said(socket, 'Once more');
    socket.send({ type: 'message', text: `${'a'.repeat(3000)}B` });
    await said(socket, 'Second matched');
    expect(texts(socket).filter(([author]) => author === 'pilot')).toEqual([
      ['pilot', 'Say something'],
      ['pilot', 'No match'],
      ['pilot', 'Once more'],
      ['pilot', 'Second matched'],
    ]);
    socket.close();
  });

  it('answers promptly when a page URL is made to stall an a*a*a*a*b URL rule', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Regex page',
      trigger: { type: 'page_visited', urls: [{ op: 'matches', value: '/a*a*a*a*b$' }] },
      start: 'm',
      nodes: [{ id: 'm', type: 'send_message', text: 'Page matched' }],
    });
    await publishFlow(pilotId, {
      name: 'Other pages',
      priority: 200,
      trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '/' }] },
      start: 'm',
      nodes: [{ id: 'm', type: 'send_message', text: 'Any page' }],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'page_view', page: { url: `https://shop.example/${'a'.repeat(1900)}` } });
    await said(socket, 'Any page');
    socket.send({ type: 'page_view', page: { url: 'https://shop.example/aaab' } });
    await said(socket, 'Page matched');
    socket.close();
  });
});
