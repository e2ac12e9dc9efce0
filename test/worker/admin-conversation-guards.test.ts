/**
 * The attacker's review of the inbox routes: an admin read of a made-up conversation id used
 * to create that id's Durable Object with its tables; an agent reply stored any `userId` as the
 * assignee; and a transcript past 10,000 messages was answered with its first 10,000 (the
 * newest, the ones an agent needs, were missing).
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import { conversationIdFor } from '../../worker/auth/visitor-token.ts';
import {
  MAX_TRANSCRIPT_CHARS,
  MAX_TRANSCRIPT_MESSAGES,
} from '../../worker/conversation/storage.ts';
import { sessionSecret } from '../../worker/env.ts';
import { call } from '../helpers/admin.ts';
import { workspace } from './admin-fixtures.ts';
import { createPilot, eventually, indexed, json, said, visit } from './runtime-helpers.ts';

/** The tables a conversation's object holds (SQLite's own and Cloudflare's aside). */
const tablesOf = (name: string) =>
  runInDurableObject(env.CONVERSATION.get(env.CONVERSATION.idFromName(name)), (_o, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name)
      .filter((table) => !table.startsWith('_cf_')),
  );

describe('admin routes that address a conversation by id', () => {
  it('answer a made-up id with 404 not_found and leave no tables in its object', async () => {
    const ws = await workspace();
    const ghost = (route: string) => `conv_ghost_${route}_${crypto.randomUUID()}`;
    const ghosts = {
      get: ghost('get'),
      messages: ghost('messages'),
      release: ghost('release'),
      close: ghost('close'),
    };
    const asked: [string, Response][] = [
      ['get', await ws.call(`/conversations/${ghosts.get}`, { key: ws.readKey })],
      [
        'messages',
        await ws.call(`/conversations/${ghosts.messages}/messages`, {
          method: 'POST',
          body: { text: 'Anyone there?' },
        }),
      ],
      ['release', await ws.call(`/conversations/${ghosts.release}/release`, { method: 'POST' })],
      ['close', await ws.call(`/conversations/${ghosts.close}/close`, { method: 'POST' })],
    ];
    for (const [route, res] of asked) {
      expect({ route, status: res.status }).toEqual({ route, status: 404 });
      expect(await res.json()).toMatchObject({ error: { code: ErrorCode.notFound } });
    }
    // The object may be started to be asked, but nothing of it is stored (no tables, no rows).
    for (const name of Object.values(ghosts))
      expect({ name, tables: await tablesOf(name) }).toEqual({ name, tables: [] });
  });

  it('erasures of made-up ids answer 404 not_found and leave no tables in the objects they ask', async () => {
    // Erasure must reach the object when the queue has not indexed a conversation yet, so the
    // object itself makes no tables until something is written.
    const ws = await workspace();
    const conversationId = `conv_ghost_delete_${crypto.randomUUID()}`;
    const deleted = await ws.call(`/conversations/${conversationId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(404);
    expect(await deleted.json()).toMatchObject({ error: { code: ErrorCode.notFound } });
    // A visitor erasure asks the object its id names on every pilot of the workspace.
    const pilot = await ws.json<{ id: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Guard pilot', trustedDomains: ['localhost'] },
    });
    const visitorId = `v_ghost_${crypto.randomUUID()}`;
    const erased = await ws.call(`/visitors/${visitorId}/erase`, { method: 'POST' });
    expect(erased.status).toBe(404);
    expect(await erased.json()).toMatchObject({ error: { code: ErrorCode.notFound } });
    const derived = await conversationIdFor(pilot.body.id, visitorId, sessionSecret(env));
    for (const name of [conversationId, derived]) {
      const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(name));
      const tables = await runInDurableObject(stub, (_instance, state) =>
        state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
          .toArray()
          .map((row) => row.name)
          .filter((table) => !table.startsWith('_cf_')),
      );
      expect({ name, tables }).toEqual({ name, tables: [] });
    }
  });
});

describe('an agent reply', () => {
  it("refuses a userId that is not one of the workspace's users (400 invalid_input naming userId) and assigns nobody", async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'message', text: 'hello' });
    await said(visitor.socket, 'Fallback answer.');
    await indexed(visitor.conversationId);
    const path = `/v1/admin/conversations/${visitor.conversationId}`;
    // A user of another workspace is as unknown here as a made-up id.
    const other = await workspace();
    const stranger = await other.json<{ id: string }>('/users', {
      method: 'POST',
      body: { name: 'Mallory', email: `${crypto.randomUUID()}@example.com` },
    });
    for (const userId of ['user_made_up', stranger.body.id]) {
      const res = await call(`${path}/messages`, {
        method: 'POST',
        body: JSON.stringify({ text: 'I am on it', userId }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { code: ErrorCode.invalidInput, issues: [{ path: 'userId' }] },
      });
    }
    const refused = await json<{ assignee: string | null; mode: string; messages: unknown[] }>(
      await call(path),
    );
    expect(refused).toMatchObject({ assignee: null, mode: 'pilot' });
    expect(refused.messages).toHaveLength(2);

    const agent = await json<{ id: string }>(
      await call('/v1/admin/users', {
        method: 'POST',
        body: JSON.stringify({ name: 'Ada', email: `${crypto.randomUUID()}@example.com` }),
      }),
    );
    const ok = await call(`${path}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'I am on it', userId: agent.id }),
    });
    expect(ok.status).toBe(201);
    expect(await json<{ assignee: string }>(await call(path))).toMatchObject({
      assignee: `user:${agent.id}`,
      mode: 'agent',
    });
    visitor.socket.close();
  });
});

describe('a transcript past the cap', () => {
  /** A visitor who said hello and got the fallback, their conversation indexed (and closed). */
  async function saidHello() {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'message', text: 'hello' });
    await said(visitor.socket, 'Fallback answer.');
    visitor.socket.close();
    await indexed(visitor.conversationId);
    return visitor;
  }

  it(`returns the newest ${MAX_TRANSCRIPT_MESSAGES} messages, oldest first`, async () => {
    const visitor = await saidHello();
    // Written directly: 10,000 turns through the socket would take minutes.
    const extra = MAX_TRANSCRIPT_MESSAGES + 5;
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO messages (author, text, at) SELECT 'visitor', 'message ' || i, ? FROM n`,
        extra,
        Date.now(),
      );
    });
    const detail = await json<{ lastMessage: string; messages: { seq: number; text: string }[] }>(
      await call(`/v1/admin/conversations/${visitor.conversationId}`),
    );
    expect(detail.messages).toHaveLength(MAX_TRANSCRIPT_MESSAGES);
    // 2 + extra messages in all: the first 7 are left out, the newest is last.
    expect(detail.messages[0]?.text).toBe(`message ${extra - MAX_TRANSCRIPT_MESSAGES + 1}`);
    expect(detail.messages.at(-1)?.text).toBe(`message ${extra}`);
    expect(detail.lastMessage).toBe(`message ${extra}`);
    const seqs = detail.messages.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it(`answers a transcript past ${MAX_TRANSCRIPT_CHARS.toLocaleString('en')} characters with its newest messages that fit, in the view and the export`, async () => {
    const visitor = await saidHello();
    // 9,000 messages of 4,000 characters (the most a visitor may send): 36 M characters, past
    // the 32 MiB an object call may return (the view and the export answered 500).
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)
         INSERT INTO messages (author, text, at) SELECT 'visitor', printf('%04d', i) || ?, ? FROM n`,
        'x'.repeat(3_996),
        Date.now(),
      );
    });
    const response = await call(`/v1/admin/conversations/${visitor.conversationId}`);
    expect(response.status).toBe(200);
    const detail = await json<{ messages: { seq: number; text: string }[] }>(response);
    const chars = detail.messages.reduce((sum, m) => sum + m.text.length, 0);
    expect(chars).toBeLessThanOrEqual(MAX_TRANSCRIPT_CHARS);
    expect(detail.messages.length).toBe(Math.floor(MAX_TRANSCRIPT_CHARS / 4_000));
    expect(detail.messages.at(-1)?.text.startsWith('9000')).toBe(true);
    // The export (the object's exportData) says its transcript starts after the first message.
    const exported = await stub.exportData((await stub.describe())?.workspaceId ?? '');
    expect(exported?.messages.at(-1)?.text.startsWith('9000')).toBe(true);
    expect((exported?.messages[0]?.seq ?? 1) > 1).toBe(true);
  });
});

describe('a transcript read with ?after=', () => {
  it('answers only the messages past `after` (none past the last), refuses a bad value naming it, and stays workspace-scoped', async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'message', text: 'first question' });
    await said(visitor.socket, 'Fallback answer.');
    const path = `/v1/admin/conversations/${visitor.conversationId}`;
    type Detail = { messages: { seq: number; text: string }[]; lastMessage?: string | null };
    const whole = await json<Detail>(await call(path));
    expect(whole.messages.map((m) => m.seq)).toEqual([1, 2]);
    const last = whole.messages.at(-1)!.seq;

    // Nothing new: no messages, and no last message the caller already has.
    const none = await json<Detail>(await call(`${path}?after=${last}`));
    expect(none.messages).toEqual([]);
    expect(none).not.toHaveProperty('lastMessage');

    visitor.socket.send({ type: 'message', text: 'second question' });
    await visitor.socket.waitForMessages(
      (messages) => messages.filter((m) => m.text === 'Fallback answer.').length === 2,
      'the second answer',
    );
    const fresh = await json<Detail>(await call(`${path}?after=${last}`));
    expect(fresh.messages.map((m) => [m.seq, m.text])).toEqual([
      [3, 'second question'],
      [4, 'Fallback answer.'],
    ]);
    expect(fresh.lastMessage).toBe('Fallback answer.');
    // `after=0` is the whole transcript, as without it.
    expect((await json<Detail>(await call(`${path}?after=0`))).messages).toHaveLength(4);

    for (const bad of ['-1', 'abc', '1.5']) {
      const res = await call(`${path}?after=${bad}`);
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(await res.json()).toMatchObject({
        error: { code: ErrorCode.invalidInput, issues: [{ path: 'query.after' }] },
      });
    }
    // Another workspace's key gets 404 with or without `after`.
    const other = await workspace();
    const foreign = await other.call(`/conversations/${visitor.conversationId}?after=0`, {
      key: other.readKey,
    });
    expect(foreign.status).toBe(404);
    visitor.socket.close();
  });
});

describe('the handed-over list', () => {
  it('lists a handed-over conversation by mode however many newer ones the pilot has, and by assignee', async () => {
    // A hostile review: the inbox filtered one page of 50 in the browser, so 55 newer visitors
    // hid a visitor waiting for a person.
    const ws = await workspace();
    const pilot = await ws.json<{ id: string; publicKey: string }>('/pilots', {
      method: 'POST',
      body: {
        name: 'Handover list',
        trustedDomains: ['localhost'],
        fallbackMessage: 'No answer here',
      },
    });
    const agent = await ws.json<{ id: string }>('/users', {
      method: 'POST',
      body: { name: 'Ada', email: `${crypto.randomUUID()}@example.com` },
    });
    const waiting = await visit(pilot.body.publicKey);
    waiting.socket.send({ type: 'message', text: 'hello' });
    await said(waiting.socket, 'No answer here');
    const reply = await ws.call(`/conversations/${waiting.conversationId}/messages`, {
      method: 'POST',
      body: { text: 'On it', userId: agent.body.id },
    });
    expect(reply.status).toBe(201);
    const listed = (query: string) =>
      ws.json<{ items: { id: string; mode: string }[]; nextCursor: string | null }>(
        `/conversations?${query}`,
      );
    await eventually(
      async () => (await listed('mode=agent')).body.items.map((c) => c.id),
      (ids) => ids.includes(waiting.conversationId),
      'the handed-over conversation indexed',
    );
    // 60 newer conversations with the pilot (rows of the index, as the queue writes them).
    const later = Date.now() + 60_000;
    const rows = Array.from({ length: 60 }, (_, i) => `conv_newer_${i}_${crypto.randomUUID()}`);
    await env.DB.batch(
      rows.map((id, i) =>
        env.DB.prepare(
          `INSERT INTO conversations (id, workspace_id, pilot_id, visitor_id, status, mode, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'open', 'pilot', ?, ?)`,
        ).bind(id, ws.id, pilot.body.id, `v_${i}`, later + i, later + i),
      ),
    );
    const firstPage = await listed('status=open&limit=50');
    expect(firstPage.body.items.map((c) => c.id)).not.toContain(waiting.conversationId);
    const handedOver = await listed('status=open&mode=agent&limit=50');
    expect(handedOver.status).toBe(200);
    expect(handedOver.body.items.map((c) => c.id)).toEqual([waiting.conversationId]);
    const mine = await listed(
      `status=open&assignee=${encodeURIComponent(`user:${agent.body.id}`)}`,
    );
    expect(mine.body.items.map((c) => c.id)).toEqual([waiting.conversationId]);
    expect((await listed('mode=robot')).status).toBe(400);
    waiting.socket.close();
  });
});

describe('an agent action racing an erasure', () => {
  it('writes nothing into a conversation erased after the route checked it', async () => {
    // The route checks the conversation, then acts in a second call: an erasure landing in
    // between made the reply (or release, or close) start a fresh conversation in agent mode.
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    visitor.socket.send({ type: 'message', text: 'my secret order 4411' });
    await said(visitor.socket, 'Fallback answer.');
    visitor.socket.close();
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(visitor.conversationId));
    const described = await stub.describe();
    expect(described).not.toBeNull();
    const workspaceId = described!.workspaceId;
    expect(await stub.erase(workspaceId)).not.toBeNull();
    expect(await stub.agentReply(workspaceId, 'About order 4411…', null)).toBeNull();
    expect(await stub.release(workspaceId)).toBeNull();
    expect(await stub.close(workspaceId)).toBeNull();
    expect(await tablesOf(visitor.conversationId)).toEqual([]);
    // And another workspace's key never acts on it either.
    const again = await visit(publicKey);
    again.socket.close();
    const other = env.CONVERSATION.get(env.CONVERSATION.idFromName(again.conversationId));
    expect(await other.agentReply('ws_someone_else', 'hi', null)).toBeNull();
  });
});

describe('the inbox filters in D1', () => {
  it('read a page of handed-over or assigned conversations through an index, not every row', async () => {
    // The list's own statement (store/conversations.ts) for each view, as the query planner sees it.
    const plan = async (filter: string, binds: string[]) =>
      (
        await env.DB.prepare(
          `EXPLAIN QUERY PLAN SELECT * FROM conversations WHERE workspace_id = ? AND 1 = 1 AND ${filter} ORDER BY updated_at DESC, id DESC LIMIT 51`,
        )
          .bind('ws_x', ...binds)
          .all<{ detail: string }>()
      ).results
        .map((r) => r.detail)
        .join(' | ');
    const handedOver = await plan('status = ? AND mode = ?', ['open', 'agent']);
    expect(handedOver).toContain('USING INDEX conversations_mode');
    expect(handedOver).not.toContain('TEMP B-TREE');
    const mine = await plan('status = ? AND assignee = ?', ['open', 'user:u1']);
    expect(mine).toContain('USING INDEX conversations_assignee');
  });
});
