/**
 * Privacy operations (issue 18): erase a contact, an anonymous visitor or one conversation
 * everywhere it is held, resume an interrupted erasure, export what is held about a contact.
 * Erasure is checked by scanning storage (D1 tables, conversation and pilot objects), not by
 * asking the API that erased.
 */
import {
  createScheduledController,
  env,
  evictDurableObject,
  runInDurableObject,
} from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import { visitorKeyFor } from '../../worker/auth/visitor-token.ts';
import { type AppEnv, sessionSecret } from '../../worker/env.ts';
import worker from '../../worker/index.ts';
import { resumeStalledErasures, runErasure } from '../../worker/privacy/erasure-job.ts';
import type { ErasureStep } from '../../worker/privacy/steps.ts';
import type { Subject } from '../../worker/privacy/targets.ts';
import { call } from '../helpers/admin.ts';
import { hmacHex } from '../helpers/identity-hash.ts';
import { openSocket, startSession } from '../helpers/socket.ts';
import { workspace } from './admin-fixtures.ts';
import { dumpObject, scanD1, scanKV, scanObject } from './privacy-scan.ts';
import { createPilot, eventually, json, publishFlow, said } from './runtime-helpers.ts';

const IDENTITY_SECRET = 'privacy-test-identity-secret-0123456789';

const userHash = (userId: string) => hmacHex(IDENTITY_SECRET, userId);

/**
 * A flow that emails the person (the address arrives with the event, as a site would send it),
 * creates a record naming them and waits on a question.
 */
function leadFlow() {
  return {
    name: 'Lead',
    trigger: { type: 'event' as const, name: 'go' },
    start: 'mail',
    nodes: [
      {
        id: 'mail',
        type: 'send_email' as const,
        to: '{{event.to}}',
        subject: 'Your quote',
        body: 'You said {{event.note}}',
        next: 'rec',
      },
      {
        id: 'rec',
        type: 'create_record' as const,
        kind: 'task' as const,
        fields: { title: 'Call about {{event.note}}' },
        next: 'q',
      },
      {
        id: 'q',
        type: 'ask_question' as const,
        text: 'Happy with us?',
        input: {
          kind: 'buttons' as const,
          options: [{ label: 'Yes', value: 'yes', next: 'thanks' }],
        },
      },
      { id: 'thanks', type: 'send_message' as const, text: 'Thanks!' },
    ],
  };
}

/**
 * The same anonymous visitor on another pilot: visitor keys are signed per pilot, so the test
 * mints one with the server's secret (as a site whose visitor got a key from each pilot would hold).
 */
const sameVisitorOn = (pilotId: string, visitorId: string) =>
  visitorKeyFor(pilotId, visitorId, sessionSecret(env as unknown as AppEnv));

const stubOf = (conversationId: string) =>
  env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
const pilotStub = (pilotId: string) => env.PILOT.get(env.PILOT.idFromName(pilotId));

/** A session that chats: the flow runs (email, record, question) and the visitor types `note`. */
async function chat(
  publicKey: string,
  note: string,
  opts: { visitorKey?: string; userId?: string; email: string },
) {
  const user = opts.userId ? { userId: opts.userId, hash: await userHash(opts.userId) } : undefined;
  const { body } = await startSession(publicKey, opts.visitorKey, undefined, user);
  if (!body) throw new Error('session refused');
  const socket = await openSocket(body.conversationId, body.token);
  socket.send({ type: 'event', name: 'go', props: { note, to: opts.email } });
  await said(socket, 'Happy with us?');
  socket.send({ type: 'message', text: `My secret is ${note}` });
  await socket.waitForMessages(
    (messages) => messages.some((m) => m.author === 'visitor' && m.text.includes(note)),
    'the visitor message echoed',
  );
  return { socket, ...body };
}

/** Waits until the queue consumer has indexed the conversation, its run, email and record. */
async function indexed(conversationId: string) {
  await eventually(
    async () => {
      const row = await env.DB.prepare(
        `SELECT (SELECT COUNT(*) FROM conversations WHERE id = ?1) AS c,
                (SELECT COUNT(*) FROM enrollments WHERE conversation_id = ?1) AS e,
                (SELECT COUNT(*) FROM outbox WHERE conversation_id = ?1) AS o,
                (SELECT COUNT(*) FROM records WHERE conversation_id = ?1) AS r`,
      )
        .bind(conversationId)
        .first<{ c: number; e: number; o: number; r: number }>();
      return row;
    },
    (row) => !!row && row.c > 0 && row.e > 0 && row.o > 0 && row.r > 0,
    `conversation ${conversationId} indexed`,
  );
}

function closed(socket: { ws: WebSocket }): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket not closed within 5 s')), 5_000);
    socket.ws.addEventListener('close', (event) => {
      clearTimeout(timer);
      resolve(event.code);
    });
  });
}

async function identifiedPilot() {
  const pilot = await createPilot({ identitySecret: IDENTITY_SECRET });
  const email = `person-${crypto.randomUUID()}@example.com`;
  await publishFlow(pilot.pilotId, leadFlow());
  const externalId = `user-${crypto.randomUUID()}`;
  const contact = await json<{ id: string }>(
    await call('/v1/admin/contacts', {
      method: 'POST',
      body: JSON.stringify({ externalId, email, name: 'Pat Privacy', phone: '+15550100' }),
    }),
  );
  return { ...pilot, email, externalId, contactId: contact.id };
}

describe('erasing a contact', () => {
  it('removes their contact, conversation, runs, emails, records and live row, closes their socket, and leaves others alone', async () => {
    const { pilotId, publicKey, email, externalId, contactId } = await identifiedPilot();
    const note = `note-${crypto.randomUUID()}`;
    const person = await chat(publicKey, note, { userId: externalId, email });
    // The KV scan reads every key and value: it finds the pilot's snapshot by its public key.
    expect((await scanKV([publicKey])).map((h) => h.where)).toContain(`kv.snapshot:${publicKey}`);
    const otherNote = `other-${crypto.randomUUID()}`;
    const other = await chat(publicKey, otherNote, { email: `other-${otherNote}@example.com` });
    await indexed(person.conversationId);
    await indexed(other.conversationId);
    await eventually(
      async () => (await pilotStub(pilotId).liveList(200)).map((r) => r.conversationId),
      (ids) => ids.includes(person.conversationId),
      'the live row',
    );
    const needles = [person.conversationId, person.visitorId, externalId, email, note];
    // Before: the scans do find the person (so the scan can fail).
    expect((await scanD1(needles)).length).toBeGreaterThan(0);
    expect(
      (await scanObject('conv', stubOf(person.conversationId), needles)).length,
    ).toBeGreaterThan(0);

    // Another workspace's key cannot erase (or even see) them.
    const stranger = await workspace();
    for (const path of [`/contacts/${contactId}/erase`, `/visitors/${person.visitorId}/erase`]) {
      const refused = await stranger.json<{ error: { code: string } }>(path, { method: 'POST' });
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe(ErrorCode.notFound);
    }
    const refusedDelete = await stranger.json<{ error: { code: string } }>(
      `/conversations/${person.conversationId}`,
      { method: 'DELETE' },
    );
    expect(refusedDelete.status).toBe(404);
    expect((await stubOf(person.conversationId).transcript()).length).toBeGreaterThan(0);

    const socketClosed = closed(person.socket);
    const response = await call(`/v1/admin/contacts/${contactId}/erase`, { method: 'POST' });
    expect(response.status).toBe(200);
    const receipt = await json<{
      status: string;
      conversationIds: string[];
      erased: Record<string, number> & { objectRows: Record<string, number> };
    }>(response);
    expect(receipt.status).toBe('erased');
    expect(receipt.conversationIds).toEqual([person.conversationId]);
    expect(receipt.erased).toMatchObject({
      contacts: 1,
      conversationObjects: 1,
      conversationRows: 1,
      emails: 1,
      records: 1,
      liveRows: 1,
    });
    expect(receipt.erased.enrollments).toBeGreaterThan(0);
    expect(receipt.erased.enrollmentSteps).toBeGreaterThan(0);
    expect(receipt.erased.objectRows.messages).toBeGreaterThanOrEqual(3);
    expect(await socketClosed).toBe(4011);

    // Queue messages still in flight must not bring anything back: wait, then scan.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await scanD1(needles)).toEqual([]);
    expect(await scanObject('conv', stubOf(person.conversationId), needles)).toEqual([]);
    expect(await scanObject('pilot', pilotStub(pilotId), needles)).toEqual([]);
    expect(await scanKV(needles)).toEqual([]);
    const { counts } = await dumpObject(stubOf(person.conversationId));
    // Erased means no tables at all: the object makes them again on its next write.
    expect(counts).toEqual({});
    expect((await call(`/v1/admin/contacts/${contactId}`)).status).toBe(404);
    expect((await call(`/v1/admin/conversations/${person.conversationId}`)).status).toBe(404);

    // The other visitor keeps everything.
    const theirs = await stubOf(other.conversationId).transcript();
    expect(theirs.some((m) => m.text.includes(otherNote))).toBe(true);
    expect((await scanD1([other.conversationId, otherNote])).length).toBeGreaterThan(0);

    // A second erase is harmless and says nothing was left.
    const again = await json<{ status: string; erased: Record<string, unknown> }>(
      await call(`/v1/admin/contacts/${contactId}/erase`, { method: 'POST' }),
    );
    expect(again.status).toBe('already_erased');
    expect(again.erased).toMatchObject({ contacts: 0, conversationObjects: 0, emails: 0 });
  });

  it('lets the person come back to a fresh, empty conversation', async () => {
    const { publicKey, email, externalId, contactId } = await identifiedPilot();
    const note = `note-${crypto.randomUUID()}`;
    const first = await chat(publicKey, note, { userId: externalId, email });
    await indexed(first.conversationId);
    const socketClosed = closed(first.socket);
    expect((await call(`/v1/admin/contacts/${contactId}/erase`, { method: 'POST' })).status).toBe(
      200,
    );
    await socketClosed;

    const { body } = await startSession(publicKey, undefined, undefined, {
      userId: externalId,
      hash: await userHash(externalId),
    });
    expect(body?.conversationId).toBe(first.conversationId);
    const socket = await openSocket(body!.conversationId, body!.token);
    await eventually(
      async () => socket.frames.find((f) => f.type === 'welcome'),
      (welcome) => welcome !== undefined,
      'the welcome frame',
    );
    expect(socket.frames.find((f) => f.type === 'welcome')).toMatchObject({ lastSeq: 0 });
    expect(socket.messages()).toEqual([]);
    // The flow runs again for them as a new visitor.
    socket.send({ type: 'event', name: 'go', props: { note: 'again', to: email } });
    await said(socket, 'Happy with us?');
    expect(socket.messages().some((m) => m.text.includes(note))).toBe(false);
    socket.close();
  });
});

describe('erasing an anonymous visitor and deleting a conversation', () => {
  it('erases a visitor across pilots, resuming after an interruption midway', async () => {
    const email = `anon-${crypto.randomUUID()}@example.com`;
    const a = await createPilot();
    const b = await createPilot();
    await publishFlow(a.pilotId, leadFlow());
    await publishFlow(b.pilotId, leadFlow());
    const note = `note-${crypto.randomUUID()}`;
    const onA = await chat(a.publicKey, note, { email });
    const onB = await chat(b.publicKey, note, {
      visitorKey: await sameVisitorOn(b.pilotId, onA.visitorId),
      email,
    });
    expect(onB.conversationId).not.toBe(onA.conversationId);
    await indexed(onA.conversationId);
    await indexed(onB.conversationId);

    // One conversation erased, then the request "dies" and both objects are evicted.
    const partial = await runErasure(env, 'ws_default', { kind: 'visitor', id: onA.visitorId }, 1);
    expect(partial.status).toBe('in_progress');
    expect(partial.remaining).toBe(1);
    await evictDurableObject(stubOf(onA.conversationId));
    await evictDurableObject(stubOf(onB.conversationId));
    // Meanwhile the visitor chats on a third pilot: the resumed erasure must find that too.
    const c = await createPilot();
    await publishFlow(c.pilotId, leadFlow());
    const onC = await chat(c.publicKey, note, {
      visitorKey: await sameVisitorOn(c.pilotId, onA.visitorId),
      email,
    });

    const resumed = await call(`/v1/admin/visitors/${onA.visitorId}/erase`, { method: 'POST' });
    expect(resumed.status).toBe(200);
    const receipt = await json<{
      status: string;
      remaining: number;
      erased: { conversationObjects: number };
    }>(resumed);
    expect(receipt).toMatchObject({ status: 'erased', remaining: 0 });
    // Totals over both calls (C may not be indexed in D1 yet: its object is what counts).
    expect(receipt.erased.conversationObjects).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const needles = [
      onA.conversationId,
      onB.conversationId,
      onC.conversationId,
      onA.visitorId,
      note,
    ];
    expect(await scanD1(needles)).toEqual([]);
    expect(await scanObject('a', stubOf(onA.conversationId), needles)).toEqual([]);
    expect(await scanObject('b', stubOf(onB.conversationId), needles)).toEqual([]);
    expect(await scanObject('c', stubOf(onC.conversationId), needles)).toEqual([]);
    expect(await scanObject('pc', pilotStub(c.pilotId), needles)).toEqual([]);
    expect(await scanObject('pa', pilotStub(a.pilotId), needles)).toEqual([]);
    expect(await scanObject('pb', pilotStub(b.pilotId), needles)).toEqual([]);
  });

  it('erases the contact a flow wrote for an anonymous visitor, by visitor or by that contact, and a concurrent call is no 500', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Lead form',
      trigger: { type: 'event', name: 'go' },
      start: 'contact',
      nodes: [
        {
          id: 'contact',
          type: 'update_contact',
          fields: { email: '{{event.to}}', name: 'Anon {{event.note}}', plan: '{{event.note}}' },
          next: 'tag',
        },
        { id: 'tag', type: 'add_tag', tags: ['lead'], next: 'done' },
        { id: 'done', type: 'send_message', text: 'Saved' },
      ],
    });
    const lead = async () => {
      const note = `note-${crypto.randomUUID()}`;
      const email = `anon-${crypto.randomUUID()}@example.com`;
      const { body } = await startSession(publicKey);
      if (!body) throw new Error('session refused');
      const socket = await openSocket(body.conversationId, body.token);
      socket.send({ type: 'event', name: 'go', props: { note, to: email } });
      await said(socket, 'Saved');
      socket.close();
      const contactId = `ct_${body.visitorId}`;
      await eventually(
        async () =>
          env.DB.prepare('SELECT COUNT(*) AS n FROM conversations WHERE id = ?')
            .bind(body.conversationId)
            .first<{ n: number }>(),
        (row) => row?.n === 1,
        'the conversation indexed',
      );
      return { ...body, note, email, contactId, needles: [body.visitorId, note, email] };
    };

    // By visitor: the receipt counts the contact, and nothing of theirs is left in D1.
    const a = await lead();
    expect((await scanD1(a.needles)).map((hit) => hit.where)).toContain('d1.contacts');
    const byVisitor = await call(`/v1/admin/visitors/${a.visitorId}/erase`, { method: 'POST' });
    expect(byVisitor.status).toBe(200);
    expect(await json<{ erased: { contacts: number } }>(byVisitor)).toMatchObject({
      erased: { contacts: 1 },
    });
    expect(await scanD1(a.needles)).toEqual([]);

    // By that contact: its export holds the visitor's conversation, and its erasure empties it.
    const b = await lead();
    const exported = await json<{ conversations: { messages: unknown[] }[] }>(
      await call(`/v1/admin/contacts/${b.contactId}/export`),
    );
    expect(exported.conversations).toHaveLength(1);
    const byContact = await call(`/v1/admin/contacts/${b.contactId}/erase`, { method: 'POST' });
    expect(byContact.status).toBe(200);
    expect(await scanD1(b.needles)).toEqual([]);
    expect(await scanObject('b', stubOf(b.conversationId), b.needles)).toEqual([]);

    // Two calls at once for the same person: both answer, neither with a 500.
    const c = await lead();
    const both = await Promise.all([
      call(`/v1/admin/visitors/${c.visitorId}/erase`, { method: 'POST' }),
      call(`/v1/admin/visitors/${c.visitorId}/erase`, { method: 'POST' }),
    ]);
    for (const response of both) expect([200, 202]).toContain(response.status);
    const last = await call(`/v1/admin/visitors/${c.visitorId}/erase`, { method: 'POST' });
    expect(last.status).toBe(200);
    expect(await scanD1(c.needles)).toEqual([]);
  });

  it('deletes one conversation and keeps the same visitor’s conversation on another pilot', async () => {
    const email = `del-${crypto.randomUUID()}@example.com`;
    const a = await createPilot();
    const b = await createPilot();
    await publishFlow(a.pilotId, leadFlow());
    await publishFlow(b.pilotId, leadFlow());
    const note = `note-${crypto.randomUUID()}`;
    const onA = await chat(a.publicKey, note, { email });
    const onB = await chat(b.publicKey, note, {
      visitorKey: await sameVisitorOn(b.pilotId, onA.visitorId),
      email,
    });
    await indexed(onA.conversationId);
    const deleted = await call(`/v1/admin/conversations/${onA.conversationId}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    expect(await json<{ kind: string; conversationIds: string[] }>(deleted)).toMatchObject({
      kind: 'conversation',
      conversationIds: [onA.conversationId],
    });
    expect(await scanObject('a', stubOf(onA.conversationId), [note, onA.visitorId])).toEqual([]);
    expect((await stubOf(onB.conversationId).transcript()).some((m) => m.text.includes(note))).toBe(
      true,
    );
  });

  it('refuses erasure to a read-only key with forbidden, and a bad id with a named field', async () => {
    const ws = await workspace();
    const refused = await ws.json<{ error: { code: string } }>('/visitors/v_abc/erase', {
      method: 'POST',
      key: ws.readKey,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe(ErrorCode.forbidden);
    const bad = await ws.json<{ error: { issues: { path: string }[] } }>(
      '/visitors/not%20an%20id/erase',
      { method: 'POST' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0]?.path).toBe('path.visitorId');
  });
});

describe('exporting a contact', () => {
  it('returns their fields, transcript with rich parts, runs with steps, emails and records', async () => {
    const { publicKey, email, externalId, contactId } = await identifiedPilot();
    const note = `note-${crypto.randomUUID()}`;
    const person = await chat(publicKey, note, { userId: externalId, email });
    await indexed(person.conversationId);
    const exported = await json<{
      format: string;
      contact: { email: string; data: { phone: string } };
      conversations: { id: string; messages: { text: string; choices?: unknown[] }[] }[];
      runs: { conversationId: string; steps: { nodeId: string }[] }[];
      emails: { to: string }[];
      records: { data: { title: string } }[];
      truncated: boolean;
    }>(await call(`/v1/admin/contacts/${contactId}/export`));
    expect(exported.format).toBe('edgepilot.contact-export.v1');
    expect(exported.contact).toMatchObject({ email, data: { phone: '+15550100' } });
    expect(exported.conversations.map((c) => c.id)).toEqual([person.conversationId]);
    const messages = exported.conversations[0]!.messages;
    expect(messages.some((m) => m.text === `My secret is ${note}`)).toBe(true);
    expect(messages.find((m) => m.text === 'Happy with us?')?.choices).toHaveLength(1);
    expect(exported.runs[0]?.conversationId).toBe(person.conversationId);
    expect(exported.runs[0]?.steps.map((s) => s.nodeId)).toEqual(
      expect.arrayContaining(['mail', 'rec']),
    );
    expect(exported.emails.map((e) => e.to)).toEqual([email]);
    expect(exported.records[0]?.data.title).toBe(`Call about ${note}`);
    expect(exported.truncated).toBe(false);
    const stranger = await workspace();
    expect(
      (await stranger.call(`/contacts/${contactId}/export`, { key: stranger.readKey })).status,
    ).toBe(404);
    person.socket.close();
  });
});

describe('exporting a verified contact who chatted from two devices', () => {
  it('includes both conversations with every message, run and step', async () => {
    const { pilotId, publicKey, email, externalId, contactId } = await identifiedPilot();
    const b = await createPilot({ identitySecret: IDENTITY_SECRET });
    await publishFlow(b.pilotId, leadFlow());
    const phoneNote = `phone-${crypto.randomUUID()}`;
    const laptopNote = `laptop-${crypto.randomUUID()}`;
    // Two devices: no shared visitor id, the same verified identity (user id + HMAC).
    const phone = await chat(publicKey, phoneNote, { userId: externalId, email });
    const laptop = await chat(b.publicKey, laptopNote, { userId: externalId, email });
    expect(laptop.visitorId).not.toBe(phone.visitorId);
    expect(laptop.conversationId).not.toBe(phone.conversationId);
    await indexed(phone.conversationId);
    await indexed(laptop.conversationId);
    const exported = await json<{
      conversations: {
        id: string;
        pilotId: string;
        messages: { author: string; text: string }[];
      }[];
      runs: { id: string; conversationId: string; steps: { nodeId: string }[] }[];
      emails: { to: string }[];
      records: { data: { title: string } }[];
      truncated: boolean;
    }>(await call(`/v1/admin/contacts/${contactId}/export`));
    const byId = new Map(exported.conversations.map((c) => [c.id, c]));
    expect([...byId.keys()].sort()).toEqual([phone.conversationId, laptop.conversationId].sort());
    expect(byId.get(phone.conversationId)?.pilotId).toBe(pilotId);
    expect(byId.get(laptop.conversationId)?.pilotId).toBe(b.pilotId);
    // Every message each object holds (read from the object itself) is in the export.
    for (const [device, note] of [
      [phone, phoneNote],
      [laptop, laptopNote],
    ] as const) {
      const held = await stubOf(device.conversationId).transcript();
      const texts = byId.get(device.conversationId)?.messages.map((m) => m.text);
      expect(texts).toEqual(held.map((m) => m.text));
      expect(texts).toEqual(expect.arrayContaining(['Happy with us?', `My secret is ${note}`]));
    }
    // Every run and step the enrollment log holds for either conversation.
    const { results: runRows } = await env.DB.prepare(
      'SELECT id, conversation_id FROM enrollments WHERE conversation_id IN (?, ?)',
    )
      .bind(phone.conversationId, laptop.conversationId)
      .all<{ id: string; conversation_id: string }>();
    expect(exported.runs.map((r) => r.id).sort()).toEqual(runRows.map((r) => r.id).sort());
    expect(new Set(exported.runs.map((r) => r.conversationId))).toEqual(
      new Set([phone.conversationId, laptop.conversationId]),
    );
    const { results: stepRows } = await env.DB.prepare(
      `SELECT COUNT(*) AS n FROM enrollment_steps WHERE enrollment_id IN
         (SELECT id FROM enrollments WHERE conversation_id IN (?, ?))`,
    )
      .bind(phone.conversationId, laptop.conversationId)
      .all<{ n: number }>();
    const exportedSteps = exported.runs.reduce((n, r) => n + r.steps.length, 0);
    expect(exportedSteps).toBe(stepRows[0]?.n);
    for (const run of exported.runs)
      expect(run.steps.map((s) => s.nodeId)).toEqual(expect.arrayContaining(['mail', 'rec']));
    expect(exported.emails.map((e) => e.to)).toEqual([email, email]);
    expect(exported.records.map((r) => r.data.title).sort()).toEqual(
      [`Call about ${phoneNote}`, `Call about ${laptopNote}`].sort(),
    );
    expect(exported.truncated).toBe(false);
    phone.socket.close();
    laptop.socket.close();
  });
});

describe('queue events in flight during an erasure', () => {
  it('are dropped when older than the erasure, and kept when they belong to the fresh conversation', async () => {
    const { pilotId } = await createPilot();
    const conversationId = `conv_inflight_${crypto.randomUUID().replaceAll('-', '')}`;
    const visitorId = `v_inflight${crypto.randomUUID().replaceAll('-', '')}`;
    const event = (at: number, seq: number) => ({
      v: 1,
      events: [
        {
          id: `evt_${crypto.randomUUID()}`,
          seq,
          at,
          kind: 'conversation',
          workspaceId: 'ws_default',
          pilotId,
          conversationId,
          visitorId,
          userId: null,
          status: 'open',
          mode: 'pilot',
          assignee: null,
          pageUrl: null,
          lastMessage: 'in flight',
          lastMessageAt: at,
          createdAt: at,
          run: null,
        },
      ],
    });
    const before = Date.now();
    await env.EVENTS.send(event(before, 1));
    const row = () =>
      env.DB.prepare('SELECT last_message_at FROM conversations WHERE id = ?')
        .bind(conversationId)
        .first<{ last_message_at: number }>();
    await eventually(row, (r) => r !== null, 'the conversation row');
    const deleted = await call(`/v1/admin/conversations/${conversationId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await row()).toBeNull();

    // A message produced before the erase, delivered after it: nothing comes back.
    await env.EVENTS.send(event(before + 1, 2));
    const later = Date.now() + 5;
    while (Date.now() <= later) await new Promise((resolve) => setTimeout(resolve, 2));
    // A fresh visit after the erase: indexed again (delivered after the stale one).
    await env.EVENTS.send(event(later, 1));
    const fresh = await eventually(row, (r) => r !== null, 'the fresh conversation row');
    expect(fresh?.last_message_at).toBe(later);
  });
});

describe('a webhook in flight while its conversation is erased', () => {
  it('writes nothing into the emptied conversation when its answer arrives', async () => {
    const target = inject('httpTarget');
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Slow webhook',
      trigger: { type: 'event', name: 'go' },
      variables: [{ name: 'status', type: 'text' }],
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http_request',
          url: `${target}/order?delay=1200&tag=${crypto.randomUUID()}`,
          saveResponse: [{ path: '$.order.status', to: 'variable.status' }],
          timeoutMs: 5000,
          next: 'after',
          onError: 'after',
        },
        { id: 'after', type: 'send_message', text: 'Webhook answered {{variable.status}}' },
      ],
    });
    const { body } = await startSession(publicKey);
    if (!body) throw new Error('session refused');
    const socket = await openSocket(body.conversationId, body.token);
    const note = `note-${crypto.randomUUID()}`;
    socket.send({ type: 'message', text: `Secret ${note}` });
    socket.send({ type: 'event', name: 'go' });
    // The request is on its way (the server answers after 1.2 s) when the admin deletes.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const deleted = await call(`/v1/admin/conversations/${body.conversationId}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // No tables at all: no message, run, effect or state came back (nor the schema marker).
    const { rows } = await dumpObject(stubOf(body.conversationId));
    expect(Object.entries(rows).filter(([, list]) => list.length > 0)).toEqual([]);
    const needles = [body.conversationId, body.visitorId, note];
    expect(await scanD1(needles)).toEqual([]);
    expect(await scanObject('pilot', pilotStub(pilotId), needles)).toEqual([]);
  });

  it('refuses a write from work that started before the erasure and finishes after it', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, leadFlow());
    const note = `note-${crypto.randomUUID()}`;
    const { socket, conversationId } = await chat(publicKey, note, {
      email: `late-${crypto.randomUUID()}@example.com`,
    });
    socket.close();
    // The runtime that served the conversation before the erase, as an effect's answer or a
    // turn awaiting the pilot still holds it, then tries to commit (here: an agent's reply).
    const late = await runInDurableObject(stubOf(conversationId), async (instance: object) => {
      const object = instance as {
        runtime: { agentReply(text: string, agentId: null, now: number): Promise<unknown> };
        erase(workspaceId: string): Promise<unknown>;
      };
      const before = object.runtime;
      await object.erase('ws_default');
      return before.agentReply(`Late ${note}`, null, Date.now()).then(
        () => 'written',
        (error: Error) => error.message,
      );
    });
    expect(late).toBe('conversation erased');
    expect(await scanObject('conversation', stubOf(conversationId), [note])).toEqual([]);
  });
});

/** Starts erasing `subject` and kills the request after its first conversation is done. */
async function killedAfterFirstConversation(subject: Subject) {
  class Killed extends Error {}
  const killed = await runErasure(env, 'ws_default', subject, 25, (step) => {
    if (step === 'job.progress') throw new Killed(step);
  }).catch((error: unknown) => error);
  expect(killed).toBeInstanceOf(Killed);
}

describe('an erasure nobody asks for again', () => {
  it('is finished by the scheduled run once it has stalled, for a visitor and for a contact', async () => {
    const a = await createPilot({ identitySecret: IDENTITY_SECRET });
    await publishFlow(a.pilotId, leadFlow());
    // An anonymous visitor with two conversations, and a verified contact with one.
    const b = await createPilot();
    await publishFlow(b.pilotId, leadFlow());
    const note = `note-${crypto.randomUUID()}`;
    const email = `stall-${crypto.randomUUID()}@example.com`;
    const onA = await chat(a.publicKey, note, { email });
    const onB = await chat(b.publicKey, note, {
      visitorKey: await sameVisitorOn(b.pilotId, onA.visitorId),
      email,
    });
    const externalId = `user-${crypto.randomUUID()}`;
    const contactEmail = `stall-contact-${crypto.randomUUID()}@example.com`;
    const contact = await json<{ id: string }>(
      await call('/v1/admin/contacts', {
        method: 'POST',
        body: JSON.stringify({ externalId, email: contactEmail }),
      }),
    );
    const onC = await chat(a.publicKey, note, { userId: externalId, email: contactEmail });
    for (const c of [onA, onB, onC]) await indexed(c.conversationId);

    // Both requests die after their first conversation; nobody calls again.
    const visitor = { kind: 'visitor' as const, id: onA.visitorId };
    expect((await runErasure(env, 'ws_default', visitor, 1)).status).toBe('in_progress');
    await killedAfterFirstConversation({ kind: 'contact', id: contact.id });

    // Not stalled yet: the scheduled run leaves a job that may still be running.
    expect(await resumeStalledErasures(env, Date.now())).toBe(0);
    const running = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM erasures WHERE status = 'running' AND workspace_id = 'ws_default'",
    ).first<{ n: number }>();
    expect(running?.n).toBeGreaterThanOrEqual(2);
    // An hour later the cron finishes both.
    await worker.scheduled(
      createScheduledController({ scheduledTime: Date.now() + 60 * 60_000 }),
      env,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const needles = [
      onA.conversationId,
      onB.conversationId,
      onC.conversationId,
      onA.visitorId,
      note,
      email,
      contactEmail,
      externalId,
      contact.id,
    ];
    expect(await scanD1(needles)).toEqual([]);
    for (const [name, c] of [
      ['a', onA],
      ['b', onB],
      ['c', onC],
    ] as const)
      expect(await scanObject(name, stubOf(c.conversationId), needles)).toEqual([]);
    for (const c of [onA, onB, onC]) c.socket.close();
  });
});

describe('stalled erasures the cron cannot finish', () => {
  it('go to the back of the queue, so they never keep a resumable one (or a conversation job) waiting', async () => {
    // A second review: rows the cron could not read back kept the oldest places in every run,
    // and a conversation's job killed after its conversation (nothing pending) was never resumed.
    const old = Date.now() - 24 * 60 * 60_000;
    for (let i = 0; i < 5; i++)
      await env.DB.prepare(
        `INSERT INTO erasures (id, workspace_id, kind, subject_id, status, pending, targets, receipt, created_at, updated_at)
         VALUES (?, 'ws_default', 'contact', ?, 'running', '[]', '{"broken":true}', ?, ?, ?)`,
      )
        .bind(
          `er_broken_${crypto.randomUUID()}`,
          `hash_${crypto.randomUUID()}`,
          JSON.stringify({ startedAt: old, erased: {} }),
          old,
          old - 1_000 + i,
        )
        .run();
    // A conversation's erasure killed right after its conversation was erased.
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, leadFlow());
    const note = `note-${crypto.randomUUID()}`;
    const lone = await chat(publicKey, note, { email: `lone-${crypto.randomUUID()}@example.com` });
    await indexed(lone.conversationId);
    lone.socket.close();
    await killedAfterFirstConversation({ kind: 'conversation', id: lone.conversationId });
    const jobOf = () =>
      env.DB.prepare(
        "SELECT status, pending FROM erasures WHERE kind = 'conversation' AND workspace_id = 'ws_default' ORDER BY created_at DESC LIMIT 1",
      ).first<{ status: string; pending: string }>();
    expect(await jobOf()).toEqual({ status: 'running', pending: '[]' });
    await env.DB.prepare("UPDATE erasures SET updated_at = ? WHERE kind = 'conversation'")
      .bind(old)
      .run();

    // First run: the five unreadable rows are taken (and stamped); the second run reaches the
    // conversation's job and finishes it.
    const hour = 60 * 60_000;
    expect(await resumeStalledErasures(env, Date.now() + hour)).toBe(0);
    expect(await resumeStalledErasures(env, Date.now() + 2 * hour)).toBe(1);
    expect(await jobOf()).toEqual({ status: 'done', pending: '[]' });
    expect(await scanD1([lone.conversationId, note])).toEqual([]);
  });
});

describe('an erasure killed after any step', () => {
  /** Every durable step of erasing a contact with two conversations, in order. */
  const killPoints: [ErasureStep, number][] = [
    ['job.start', 1],
    ['conversation.object', 1],
    ['conversation.d1', 1],
    ['conversation.live', 1],
    ['job.progress', 1],
    ['conversation.object', 2],
    ['conversation.d1', 2],
    ['conversation.live', 2],
    ['job.progress', 2],
    ['targets.d1', 1],
    ['targets.claims', 1],
  ];

  class Killed extends Error {}

  it('is finished by the next call, with every object evicted in between: nothing is left', async () => {
    const a = await createPilot({ identitySecret: IDENTITY_SECRET });
    const b = await createPilot({ identitySecret: IDENTITY_SECRET });
    await publishFlow(a.pilotId, leadFlow());
    await publishFlow(b.pilotId, leadFlow());
    const killedAt: string[] = [];
    for (const [step, occurrence] of killPoints) {
      const externalId = `user-${crypto.randomUUID()}`;
      const email = `kill-${crypto.randomUUID()}@example.com`;
      const contact = await json<{ id: string }>(
        await call('/v1/admin/contacts', {
          method: 'POST',
          body: JSON.stringify({ externalId, email }),
        }),
      );
      const note = `note-${crypto.randomUUID()}`;
      const onA = await chat(a.publicKey, note, { userId: externalId, email });
      const onB = await chat(b.publicKey, note, { userId: externalId, email });
      await indexed(onA.conversationId);
      await indexed(onB.conversationId);
      const needles = [onA.conversationId, onB.conversationId, onA.visitorId, onB.visitorId];
      needles.push(externalId, email, note, contact.id);
      expect((await scanD1(needles)).length).toBeGreaterThan(0);

      const seen = new Map<ErasureStep, number>();
      const subject = { kind: 'contact' as const, id: contact.id };
      const killed = await runErasure(env, 'ws_default', subject, 25, (done) => {
        seen.set(done, (seen.get(done) ?? 0) + 1);
        if (done === step && seen.get(done) === occurrence)
          throw new Killed(`${step}#${occurrence}`);
      }).catch((error: unknown) => error);
      expect(killed).toBeInstanceOf(Killed);
      killedAt.push(String((killed as Error).message));
      for (const stub of [stubOf(onA.conversationId), stubOf(onB.conversationId)])
        await evictDurableObject(stub);
      for (const stub of [pilotStub(a.pilotId), pilotStub(b.pilotId)])
        await evictDurableObject(stub);

      const resumed = await call(`/v1/admin/contacts/${contact.id}/erase`, { method: 'POST' });
      expect(resumed.status).toBe(200);
      // The receipt counts what the killed call erased too: nothing is under-reported.
      const receipt = await json<{ erased: Record<string, unknown> }>(resumed);
      expect({ at: `${step}#${occurrence}`, receipt }).toMatchObject({
        at: `${step}#${occurrence}`,
        receipt: {
          status: 'erased',
          remaining: 0,
          erased: {
            conversationObjects: 2,
            conversationRows: 2,
            enrollments: 2,
            records: 2,
            emails: 2,
            contacts: 1,
          },
        },
      });
      const again = await json<{ id: string; status: string }>(
        await call(`/v1/admin/contacts/${contact.id}/erase`, { method: 'POST' }),
      );
      expect(again.status).toBe('already_erased');
      const job = await env.DB.prepare('SELECT status, pending, targets FROM erasures WHERE id = ?')
        .bind(again.id)
        .first();
      expect(job).toEqual({ status: 'done', pending: '[]', targets: '{}' });

      await new Promise((resolve) => setTimeout(resolve, 500));
      const left = [
        ...(await scanD1(needles)),
        ...(await scanKV(needles)),
        ...(await scanObject('a', stubOf(onA.conversationId), needles)),
        ...(await scanObject('b', stubOf(onB.conversationId), needles)),
        ...(await scanObject('pa', pilotStub(a.pilotId), needles)),
        ...(await scanObject('pb', pilotStub(b.pilotId), needles)),
      ];
      expect({ killedAt: `${step}#${occurrence}`, left }).toEqual({
        killedAt: `${step}#${occurrence}`,
        left: [],
      });
      onA.socket.close();
      onB.socket.close();
    }
    expect(killedAt).toEqual(killPoints.map(([step, n]) => `${step}#${n}`));
  }, 180_000);
});
