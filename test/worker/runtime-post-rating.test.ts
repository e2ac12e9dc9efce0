/**
 * Issue 19 in the Workers runtime: a rating answer is saved and averaged per version in
 * insights; a post reaches the visitor with its post part (also after a replay) and its reaction
 * is saved; checkboxes arrive as one answer and are saved as a list.
 */
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import {
  createPilot,
  eventually,
  json,
  publishFlow,
  republish,
  said,
  type Visitor,
  visit,
} from './runtime-helpers.ts';

interface Insights {
  choices: { nodeId: string; choice: string; count: number }[];
  ratings: { nodeId: string; version: number; count: number; average: number }[];
}

const csat = (scale: 'stars' | 'thumbs') => ({
  name: `CSAT ${scale}`,
  trigger: { type: 'event' as const, name: 'csat' },
  variables: [{ name: 'score', type: 'number' as const }],
  start: 'rate',
  nodes: [
    {
      id: 'rate',
      type: 'ask_question' as const,
      text: 'How did we do?',
      input: { kind: 'rating' as const, scale },
      saveTo: 'variable.score',
      next: 'thanks',
    },
    { id: 'thanks', type: 'send_message' as const, text: 'You gave {{variable.score}}.' },
  ],
});

async function rated(publicKey: string, answer: { value: string } | { text: string }) {
  const visitor = await visit(publicKey);
  visitor.socket.send({ type: 'event', name: 'csat' });
  await said(visitor.socket, 'How did we do?');
  if ('value' in answer) pick(visitor, answer.value);
  else visitor.socket.send({ type: 'message', text: answer.text });
  return visitor;
}

function pick(visitor: Visitor, value: string) {
  const asked = visitor.socket.messages().findLast((m) => m.choices)!;
  visitor.socket.send({ type: 'choice', seq: asked.seq, value });
}

const insights = async (flowId: string, query = '') =>
  json<Insights>(await call(`/v1/admin/flows/${flowId}/insights${query}`));

describe('rating questions in the runtime', () => {
  it('saves a rating answer and shows its average per flow version in insights', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, csat('stars'));
    const five = await rated(publicKey, { value: '5' });
    await said(five.socket, 'You gave 5.');
    const two = await rated(publicKey, { text: '2 stars' });
    await said(two.socket, 'You gave 2.');
    // The stars were buttons named by their score.
    expect(five.socket.messages().find((m) => m.choices)?.choices).toEqual([
      { label: '1 ★', value: '1' },
      { label: '2 ★', value: '2' },
      { label: '3 ★', value: '3' },
      { label: '4 ★', value: '4' },
      { label: '5 ★', value: '5' },
    ]);
    const v1 = await eventually(
      () => insights(flowId),
      (i) => i.ratings.some((r) => r.count === 2),
      'two ratings in insights',
    );
    expect(v1.ratings).toEqual([{ nodeId: 'rate', version: 1, count: 2, average: 3.5 }]);
    expect(v1.choices.map((c) => [c.choice, c.count]).sort()).toEqual([
      ['2', 1],
      ['5', 1],
    ]);

    // Version 2 asks with thumbs: its average (the share of 👍) is reported on its own.
    await republish(flowId, pilotId, csat('thumbs'));
    const up = await rated(publicKey, { value: '1' });
    await said(up.socket, 'You gave 1.');
    const down = await rated(publicKey, { text: '👎' });
    await said(down.socket, 'You gave 0.');
    const both = await eventually(
      () => insights(flowId),
      (i) => i.ratings.length === 2 && i.ratings[1]?.count === 2,
      'version 2 ratings',
    );
    expect(both.ratings).toEqual([
      { nodeId: 'rate', version: 1, count: 2, average: 3.5 },
      { nodeId: 'rate', version: 2, count: 2, average: 0.5 },
    ]);
    expect((await insights(flowId, '?version=2')).ratings).toEqual([
      { nodeId: 'rate', version: 2, count: 2, average: 0.5 },
    ]);

    // The enrollment log shows the score on the step.
    const runs = await json<{ items: { id: string }[] }>(
      await call(`/v1/admin/flows/${flowId}/enrollments?q=${five.conversationId}`),
    );
    const detail = await json<{ steps: { nodeId: string; status: string; rating: number }[] }>(
      await call(`/v1/admin/enrollments/${runs.items[0]!.id}`),
    );
    expect(detail.steps.find((s) => s.nodeId === 'rate' && s.status === 'completed')?.rating).toBe(
      5,
    );
    for (const v of [five, two, up, down]) v.socket.close();
  });
});

describe('posts and checkboxes in the runtime', () => {
  it('delivers a large snippet post with its parts, replays it, and saves the reaction', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Announcement',
      trigger: { type: 'event', name: 'news' },
      variables: [{ name: 'reaction', type: 'text' }],
      start: 'news',
      nodes: [
        {
          id: 'news',
          type: 'post',
          size: 'large',
          title: 'Dark mode is here',
          text: 'Switch it on in settings.',
          imageUrl: 'https://cdn.example.com/dark.png',
          cta: { label: 'Try it', url: 'https://app.example.com/settings' },
          delivery: 'snippet',
          response: { type: 'reaction', reactions: ['🔥', '👎'], saveTo: 'variable.reaction' },
          next: 'thanks',
        },
        { id: 'thanks', type: 'send_message', text: 'Noted: {{variable.reaction}}' },
      ],
    });
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'news' });
    await said(visitor.socket, 'Switch it on in settings.');
    const post = visitor.socket.messages().find((m) => m.post)!;
    expect(post).toMatchObject({
      author: 'pilot',
      post: { size: 'large', title: 'Dark mode is here', preview: 'Dark mode is here' },
      image: { url: 'https://cdn.example.com/dark.png', alt: '' },
      links: [{ label: 'Try it', url: 'https://app.example.com/settings' }],
      choices: [
        { label: '🔥', value: '🔥' },
        { label: '👎', value: '👎' },
      ],
    });
    pick(visitor, '🔥');
    await said(visitor.socket, 'Noted: 🔥');
    visitor.socket.close();

    // The stored transcript keeps the post's parts (what a replay and the admin API read).
    const transcript = await eventually(
      () => call(`/v1/admin/conversations/${visitor.conversationId}`),
      (response) => response.status === 200,
      'the conversation in the admin API',
    );
    const stored = await json<{ messages: { post?: unknown }[] }>(transcript);
    expect(stored.messages.find((m) => m.post)?.post).toEqual(post.post);
  });

  it('saves checkboxes sent as one answer as a list, and re-asks an unknown option', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Interests',
      trigger: { type: 'event', name: 'interests' },
      variables: [{ name: 'topics', type: 'list' }],
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Which topics?',
          input: {
            kind: 'multiple_choice',
            options: [
              { label: 'Pricing', value: 'pricing' },
              { label: 'Security', value: 'security' },
              { label: 'API', value: 'api' },
            ],
          },
          saveTo: 'variable.topics',
          next: 'done',
        },
        { id: 'done', type: 'send_message', text: 'Topics: {{variable.topics}}' },
      ],
    });
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'interests' });
    await said(visitor.socket, 'Which topics?');
    expect(visitor.socket.messages().at(-1)?.input).toBe('multiple_choice');
    visitor.socket.send({ type: 'message', text: 'API, Cooking' });
    await said(visitor.socket, 'Please pick one of the options.');
    visitor.socket.send({ type: 'message', text: 'API, Pricing' });
    const messages = await said(visitor.socket, 'Topics:');
    expect(messages.at(-1)?.text).toBe('Topics: ["pricing","api"]');
    visitor.socket.close();
  });
});
