import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol.ts';
import { ConversationStorage } from '../../worker/conversation/storage.ts';
import { call } from '../helpers/admin.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import {
  createPilot,
  eventually,
  indexed,
  json,
  publishFlow,
  said,
  visit,
} from './runtime-helpers.ts';

const target = inject('httpTarget');

const rich = {
  id: 'offer',
  type: 'send_message' as const,
  text: 'Our plans, {{event.who}}:',
  image: { url: 'https://cdn.example.com/plans.png', alt: 'Plan comparison for {{event.who}}' },
  buttons: [
    { label: 'See pricing', url: 'https://example.com/pricing', newTab: true },
    { label: 'Docs', url: '/docs' },
  ],
  cards: [
    {
      title: 'Starter',
      text: '5 seats',
      imageUrl: 'https://cdn.example.com/starter.png',
      url: 'https://example.com/starter',
    },
    { title: 'Team' },
  ],
};

/** The typing frames and pilot messages in the order the socket received them. */
const timeline = (socket: TestSocket) =>
  socket.frames.flatMap((f: ServerFrame) =>
    f.type === 'typing'
      ? [`typing:${f.active}`]
      : f.type === 'message' && f.message.author === 'pilot'
        ? [`pilot:${f.message.text}`]
        : [],
  );

/** A pilot with one knowledge article (returns); its public key. */
async function pilotWithReturnsArticle(): Promise<string> {
  const { pilotId, publicKey } = await createPilot();
  await json(
    await call(`/v1/admin/pilots/${pilotId}/knowledge`, {
      method: 'POST',
      body: JSON.stringify({
        title: 'Returns',
        url: 'https://help.example.com/returns',
        body: 'Returns are free within 30 days of delivery.',
      }),
    }),
  );
  return publicKey;
}

describe('rich pilot messages', () => {
  it('sends a send_message node image, link buttons and cards in the frame and again on replay', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Plans',
      trigger: { type: 'event', name: 'plans' },
      start: 'offer',
      nodes: [rich],
    });
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'event', name: 'plans', props: { who: 'Ada' } });
    const [live] = (await said(visitor.socket, 'Our plans, Ada:')).filter(
      (m) => m.author === 'pilot',
    );
    const expected = {
      text: 'Our plans, Ada:',
      image: { url: 'https://cdn.example.com/plans.png', alt: 'Plan comparison for Ada' },
      links: [
        { label: 'See pricing', url: 'https://example.com/pricing', newTab: true },
        { label: 'Docs', url: '/docs' },
      ],
      cards: rich.cards,
    };
    expect(live).toMatchObject(expected);
    visitor.socket.close();

    const again = await openSocket(visitor.conversationId, visitor.token, 0);
    const replayed = await said(again, 'Our plans, Ada:');
    expect(replayed.find((m) => m.author === 'pilot')).toEqual(live);
    again.close();

    // The agent's transcript shows the same rich parts the visitor saw.
    await indexed(visitor.conversationId);
    const transcript = await json<{ messages: unknown[] }>(
      await call(`/v1/admin/conversations/${visitor.conversationId}`),
    );
    expect(transcript.messages).toContainEqual(live);
  });

  it('keeps plain pilot messages free of rich fields', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Plain',
      trigger: { type: 'event', name: 'hi' },
      start: 'hi',
      nodes: [{ id: 'hi', type: 'send_message', text: 'Hello' }],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'hi' });
    const [hello] = (await said(socket, 'Hello')).filter((m) => m.author === 'pilot');
    expect(Object.keys(hello ?? {}).sort()).toEqual(['at', 'author', 'seq', 'text']);
    socket.close();
  });
});

describe('conversations stored before rich messages', () => {
  it('keep their messages and store rich ones once the object starts again', async () => {
    const stub = env.CONVERSATION.get(env.CONVERSATION.newUniqueId());
    const messages = await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      // The current tables, as the object makes them on its first write.
      new ConversationStorage(sql);
      // The messages table as objects created before this column have it.
      sql.exec('DROP TABLE messages');
      sql.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL,
        text TEXT NOT NULL, choices TEXT, input TEXT, client_id TEXT, at INTEGER NOT NULL)`);
      sql.exec("INSERT INTO messages (author, text, at) VALUES ('pilot', 'Old hello', 1)");
      // Objects from before then had no schema version either (storage.ts migrates those).
      sql.exec("DELETE FROM meta WHERE key = 'schemaVersion'");
      const store = new ConversationStorage(sql);
      store.appendMessage({ author: 'pilot', text: 'New', at: 2, links: [rich.buttons[1]!] });
      return new ConversationStorage(sql).messagesAfter(0);
    });
    expect(messages).toEqual([
      { seq: 1, author: 'pilot', text: 'Old hello', at: 1 },
      { seq: 2, author: 'pilot', text: 'New', at: 2, links: [{ label: 'Docs', url: '/docs' }] },
    ]);
  });
});

describe('the typing indicator', () => {
  it('shows the pilot typing while a webhook runs, until its answer arrives', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Lookup',
      trigger: { type: 'event', name: 'go' },
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http_request',
          method: 'GET',
          url: `${target}/order?tag=${crypto.randomUUID()}`,
          timeoutMs: 3000,
          next: 'done',
          onError: 'done',
        },
        { id: 'done', type: 'send_message', text: 'Looked it up.' },
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'Looked it up.');
    expect(timeline(socket)).toEqual(['typing:true', 'pilot:Looked it up.']);
    socket.close();
  });

  it('turns the indicator off when the webhook leads to no message', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Silent lookup',
      trigger: { type: 'event', name: 'go' },
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http_request',
          method: 'GET',
          url: `${target}/order?tag=${crypto.randomUUID()}`,
          timeoutMs: 3000,
        },
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    const seen = await eventually(
      async () => timeline(socket),
      (t) => t.length >= 2,
      'typing on and off',
    );
    expect(seen).toEqual(['typing:true', 'typing:false']);
    socket.close();
  });

  it('shows the pilot typing before a knowledge answer', async () => {
    const publicKey = await pilotWithReturnsArticle();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'message', text: 'are returns free?' });
    await said(socket, '30 days');
    expect(timeline(socket)[0]).toBe('typing:true');
    expect(timeline(socket)).toHaveLength(2);
    socket.close();
  });

  it('sends no typing frame for a local answer from an AI already in memory, only for one that waits', async () => {
    const publicKey = await pilotWithReturnsArticle();
    const { socket } = await visit(publicKey);
    const pilotSaid = () => timeline(socket).filter((t) => t.startsWith('pilot:')).length;
    // The first answer reads the pilot's AI from KV: the visitor sees the pilot typing.
    socket.send({ type: 'message', text: 'are returns free?' });
    await eventually(
      async () => pilotSaid(),
      (n) => n === 1,
      'the first answer',
    );
    expect(timeline(socket)).toEqual(['typing:true', expect.stringMatching(/^pilot:.*30 days/)]);
    // Now the AI is in memory and both answers are local (knowledge, then the fallback): the
    // reply is the next frame, with no typing frame before it.
    socket.send({ type: 'message', text: 'are returns free?' });
    await eventually(
      async () => pilotSaid(),
      (n) => n === 2,
      'the second answer',
    );
    socket.send({ type: 'message', text: 'what colour is the moon on tuesdays' });
    await eventually(
      async () => pilotSaid(),
      (n) => n === 3,
      'the fallback answer',
    );
    expect(timeline(socket).slice(2)).toEqual([
      expect.stringMatching(/^pilot:.*30 days/),
      expect.stringMatching(/^pilot:/),
    ]);
    expect(socket.frames.filter((f) => f.type === 'typing')).toHaveLength(1);
    socket.close();
  });
});
