/**
 * Capture Contact / Capture Company, company fields and Email Conversation in the Workers
 * runtime (issue 19): real D1, Durable Objects and the outbox.
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../shared/protocol.ts';
import type { EmailTransport } from '../../worker/effects/email.ts';
import { runEmailConversation } from '../../worker/effects/email-conversation.ts';
import type { AppEnv } from '../../worker/env.ts';
import { call } from '../helpers/admin.ts';
import { hmacHex } from '../helpers/identity-hash.ts';
import { openSocket, startSession, type TestSocket } from '../helpers/socket.ts';
import { createPilot, eventually, json, publishFlow, said, visit } from './runtime-helpers.ts';

const IDENTITY_SECRET = 'capture-test-identity-secret-0123456789';

const userHash = (userId: string) => hmacHex(IDENTITY_SECRET, userId);

const say = (id: string, text: string, next?: string) => ({
  id,
  type: 'send_message' as const,
  text,
  ...(next ? { next } : {}),
});

/** A pilot (with identity verification) whose `go` event shows a contact form. */
async function capturePilot() {
  const { pilotId, publicKey } = await createPilot({ identitySecret: IDENTITY_SECRET });
  await publishFlow(pilotId, {
    name: 'Capture contact',
    trigger: { type: 'event', name: 'go' },
    start: 'form',
    nodes: [
      {
        id: 'form',
        type: 'capture_contact',
        text: 'How can we reach you?',
        fields: [
          { field: 'name', label: 'Name', required: true },
          { field: 'email', label: 'Email', kind: 'email', required: true },
          { field: 'phone', label: 'Phone', kind: 'phone' },
          { field: 'role', label: 'Role' },
        ],
        next: 'thanks',
        onError: 'sorry',
      },
      say('thanks', 'Thanks {{contact.name}}'),
      say('sorry', 'Could not save'),
    ],
  });
  return { pilotId, publicKey };
}

const lastForm = (socket: TestSocket): ChatMessage => {
  const form = socket.messages().findLast((m) => m.form);
  if (!form) throw new Error('no form shown');
  return form;
};

type Contact = {
  id: string;
  email?: string;
  name?: string;
  phone?: string;
  externalId?: string;
  fields?: Record<string, unknown>;
};
const contact = (id: string) => call(`/v1/admin/contacts/${id}`).then((r) => json<Contact>(r));

describe('capture_contact', () => {
  it('validates every field on the server and returns the errors per field to the messenger', async () => {
    const { publicKey } = await capturePilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'How can we reach you?');
    socket.send({
      type: 'form',
      seq: lastForm(socket).seq,
      values: { name: '', email: 'not-an-email', phone: 'call me' },
    });
    await socket.waitForMessages(
      (messages) => messages.filter((m) => m.form).length === 2,
      'the form shown again',
    );
    expect(lastForm(socket).errors).toEqual({
      name: 'This field is required.',
      email: 'That does not look like an email address. Please try again.',
      phone: 'That does not look like a phone number. Please try again.',
    });
    socket.close();
  });

  it('links an existing verified contact: the same contact is updated, no new one is made', async () => {
    const { publicKey } = await capturePilot();
    const userId = `user-${crypto.randomUUID()}`;
    const email = `ada-${crypto.randomUUID()}@example.com`;
    const existing = await json<Contact>(
      await call('/v1/admin/contacts', {
        method: 'POST',
        body: JSON.stringify({ externalId: userId, email, name: 'Ada' }),
      }),
    );
    const { body } = await startSession(publicKey, undefined, undefined, {
      userId,
      hash: await userHash(userId),
    });
    if (!body) throw new Error('session refused');
    const socket = await openSocket(body.conversationId, body.token);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'How can we reach you?');
    socket.send({
      type: 'form',
      seq: lastForm(socket).seq,
      values: {
        name: 'Ada Lovelace',
        email: email.toUpperCase(),
        phone: '+44 20 7946 0000',
        role: 'CTO',
      },
    });
    await said(socket, 'Thanks Ada Lovelace');
    const updated = await eventually(
      () => contact(existing.id),
      (c) => c.phone === '+442079460000',
      'the verified contact updated',
    );
    expect(updated).toMatchObject({
      id: existing.id,
      externalId: userId,
      email,
      name: 'Ada Lovelace',
      fields: { role: 'CTO' },
    });
    const { results } = await env.DB.prepare(
      'SELECT id FROM contacts WHERE id = ? OR external_id = ? OR email = ?',
    )
      .bind(`ct_${body.visitorId}`, userId, email)
      .all();
    expect(results.map((r) => r.id)).toEqual([existing.id]);
    socket.close();
  });

  it('refuses to link an unverified claim: the known contact stays untouched', async () => {
    const { publicKey } = await capturePilot();
    const userId = `victim-${crypto.randomUUID()}`;
    const email = `victim-${crypto.randomUUID()}@example.com`;
    const victim = await json<Contact>(
      await call('/v1/admin/contacts', {
        method: 'POST',
        body: JSON.stringify({ externalId: userId, email, name: 'Victim' }),
      }),
    );
    // Anonymous, and also claiming the userId without a valid hash: both are only claims.
    const { body } = await startSession(publicKey, undefined, undefined, { userId, hash: 'f00' });
    if (!body) throw new Error('session refused');
    const socket = await openSocket(body.conversationId, body.token);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'How can we reach you?');
    socket.send({
      type: 'form',
      seq: lastForm(socket).seq,
      values: { name: 'Mallory', email, role: 'attacker' },
    });
    // The visitor sees the same outcome as for a new email (nothing says the email is known).
    await said(socket, 'Thanks Mallory');
    const own = await eventually(
      () => contact(`ct_${body.visitorId}`).catch(() => null),
      (c) => c?.name === 'Mallory',
      "the visitor's own contact",
    );
    expect(own).toMatchObject({
      name: 'Mallory',
      fields: { role: 'attacker', claimedEmail: email },
    });
    expect(own?.email).toBeUndefined();
    expect(own?.externalId).toBeUndefined();
    const after = await contact(victim.id);
    expect(after).toEqual(victim);
    socket.close();
  });

  it("gives a verified customer's form their address even when a stranger typed it first", async () => {
    const { publicKey } = await capturePilot();
    const email = `first-${crypto.randomUUID()}@example.com`;
    const fill = async (name: string, userId?: string) => {
      const user = userId ? { userId, hash: await userHash(userId) } : undefined;
      const { body } = await startSession(publicKey, undefined, undefined, user);
      if (!body) throw new Error('session refused');
      const socket = await openSocket(body.conversationId, body.token);
      socket.send({ type: 'event', name: 'go' });
      await said(socket, 'How can we reach you?');
      socket.send({ type: 'form', seq: lastForm(socket).seq, values: { name, email } });
      await said(socket, `Thanks ${name}`);
      socket.close();
      return body;
    };
    const stranger = await fill('Mallory');
    await eventually(
      () => contact(`ct_${stranger.visitorId}`).catch(() => null),
      (c) => c?.email === email,
      "the stranger's own contact",
    );
    const userId = `owner-${crypto.randomUUID()}`;
    await fill('Owner', userId);
    const { results } = await env.DB.prepare('SELECT data FROM contacts WHERE external_id = ?')
      .bind(userId)
      .all<{ data: string }>();
    const owner = JSON.parse(results[0]?.data ?? '{}') as Contact;
    // Theirs, not a claim (before: `fields.claimedEmail`, the stranger holding the address).
    expect(owner.email).toBe(email);
    expect(owner.fields?.claimedEmail).toBeUndefined();
  });

  it('refuses a form frame for a message that shows no form', async () => {
    const { publicKey } = await capturePilot();
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'How can we reach you?');
    const id = crypto.randomUUID();
    socket.ws.send(JSON.stringify({ v: 1, id, type: 'form', seq: 999, values: { name: 'x' } }));
    await eventually(
      async () => socket.frames.find((f) => f.type === 'error' && f.id === id),
      (f) => f !== undefined,
      'the error frame',
    );
    expect(socket.frames.find((f) => f.type === 'error' && f.id === id)).toMatchObject({
      code: 'invalid_input',
      message: 'seq: that message shows no form',
    });
    socket.close();
  });
});

describe('companies', () => {
  it('persists captured and updated company fields, links the contact, and conditions read them', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Company',
      trigger: { type: 'event', name: 'go' },
      start: 'form',
      nodes: [
        {
          id: 'form',
          type: 'capture_company',
          text: 'Your company?',
          fields: [
            { field: 'name', label: 'Company', required: true },
            { field: 'domain', label: 'Website' },
            { field: 'seats', label: 'Seats', kind: 'number' },
          ],
          next: 'bump',
        },
        {
          id: 'bump',
          type: 'update_company',
          assignments: [
            { field: 'seats', op: 'increment', value: 5 },
            { field: 'plan', op: 'set', value: 'trial' },
          ],
          next: 'ask',
          onError: 'sorry',
        },
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Anything else?',
          input: { kind: 'text' },
          next: 'check',
        },
        {
          id: 'check',
          type: 'condition',
          branches: [
            {
              when: {
                all: [
                  { field: 'company.seats', op: 'gte', value: 15 },
                  { field: 'company.plan', op: 'eq', value: 'trial' },
                ],
              },
              next: 'big',
            },
          ],
          else: 'small',
        },
        say('big', 'Big team at {{company.name}}'),
        say('small', 'Small team'),
        say('sorry', 'Could not save'),
      ],
    });
    const { socket, visitorId } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'Your company?');
    socket.send({
      type: 'form',
      seq: lastForm(socket).seq,
      values: { name: 'Acme', domain: 'Acme.example', seats: '10' },
    });
    await said(socket, 'Anything else?');
    // A later turn (a fresh engine event) reads company.* from the conversation.
    socket.send({ type: 'message', text: 'no' });
    await said(socket, 'Big team at Acme');
    const link = await json<{ companyId: string | null }>(
      await call(`/v1/admin/contacts/ct_${visitorId}/company`),
    );
    expect(link.companyId).toMatch(/^company_/);
    const company = await json(await call(`/v1/admin/companies/${link.companyId}`));
    expect(company).toMatchObject({
      name: 'Acme',
      domain: 'acme.example',
      fields: { seats: 15, plan: 'trial' },
    });
    socket.close();
  });

  it('saves a question’s answer into a company field, creating the company, and later turns read it', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Company answer',
      trigger: { type: 'event', name: 'go' },
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Which industry are you in?',
          input: { kind: 'text' },
          saveTo: 'company.industry',
          next: 'more',
        },
        {
          id: 'more',
          type: 'ask_question',
          text: 'Anything else?',
          input: { kind: 'text' },
          next: 'check',
        },
        {
          id: 'check',
          type: 'condition',
          branches: [
            { when: { field: 'company.industry', op: 'eq', value: 'Retail' }, next: 'yes' },
          ],
          else: 'no',
        },
        say('yes', 'Retail it is'),
        say('no', 'Not retail'),
      ],
    });
    const { socket, visitorId } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'Which industry are you in?');
    socket.send({ type: 'message', text: 'Retail' });
    await said(socket, 'Anything else?');
    // The company is written by an effect after the reply (as a visitor types the next answer).
    const link = await eventually(
      async () =>
        json<{ companyId: string | null }>(
          await call(`/v1/admin/contacts/ct_${visitorId}/company`),
        ),
      (l) => l.companyId !== null,
      'the contact linked to a company',
    );
    const company = await json(await call(`/v1/admin/companies/${link.companyId}`));
    expect(company).toMatchObject({ fields: { industry: 'Retail' } });
    socket.send({ type: 'message', text: 'no' });
    await said(socket, 'Retail it is');
    socket.close();
  });

  it('CRUD with zod-checked bounded fields, cursor pages, link and unlink', async () => {
    const body = (await (
      await call('/v1/admin/companies', { method: 'POST', body: '{"name":"","domain":"a b"}' })
    ).json()) as { error: { issues: { path: string }[] } };
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['domain', 'name']);
    const tooMany = (await (
      await call('/v1/admin/companies', {
        method: 'POST',
        body: JSON.stringify({
          name: 'X',
          fields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, i])),
        }),
      })
    ).json()) as { error: { issues: { path: string }[] } };
    expect(tooMany.error.issues.map((i) => i.path)).toEqual(['fields']);

    const tag = crypto.randomUUID().slice(0, 8);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await json<{ id: string }>(
        await call('/v1/admin/companies', {
          method: 'POST',
          body: JSON.stringify({ name: `Co ${tag} ${i}`, domain: `co${i}.${tag}.example` }),
        }),
      );
      made.push(created.id);
    }
    const first = await json<{ items: { id: string }[]; nextCursor: string | null }>(
      await call(`/v1/admin/companies?q=${tag}&limit=2`),
    );
    expect(first.items).toHaveLength(2);
    const second = await json<{ items: { id: string }[]; nextCursor: string | null }>(
      await call(`/v1/admin/companies?q=${tag}&limit=2&cursor=${first.nextCursor}`),
    );
    expect([...first.items, ...second.items].map((c) => c.id).sort()).toEqual([...made].sort());

    const person = await json<{ id: string }>(
      await call('/v1/admin/contacts', { method: 'POST', body: '{"name":"Linked"}' }),
    );
    const linked = await call(`/v1/admin/contacts/${person.id}/company`, {
      method: 'PUT',
      body: JSON.stringify({ companyId: made[0] }),
    });
    expect(await json(linked)).toEqual({ contactId: person.id, companyId: made[0] });
    const unknown = await call(`/v1/admin/contacts/${person.id}/company`, {
      method: 'PUT',
      body: JSON.stringify({ companyId: 'company_nope' }),
    });
    expect(unknown.status).toBe(404);
    // Deleting the company unlinks its contacts (they stay).
    await json(await call(`/v1/admin/companies/${made[0]}`, { method: 'DELETE' }));
    expect(await json(await call(`/v1/admin/contacts/${person.id}/company`))).toEqual({
      contactId: person.id,
      companyId: null,
    });
    await call(`/v1/admin/contacts/${person.id}/company`, {
      method: 'PUT',
      body: JSON.stringify({ companyId: made[1] }),
    });
    const unlinked = await call(`/v1/admin/contacts/${person.id}/company`, { method: 'DELETE' });
    expect(await json(unlinked)).toEqual({ contactId: person.id, companyId: null });
  });
});

describe('companies and privacy', () => {
  it("a contact's export names its company link, and erasing the contact removes the link, not the company", async () => {
    const company = await json<{ id: string }>(
      await call('/v1/admin/companies', { method: 'POST', body: '{"name":"Shared Co"}' }),
    );
    const person = await json<{ id: string }>(
      await call('/v1/admin/contacts', {
        method: 'POST',
        body: JSON.stringify({ email: `p-${crypto.randomUUID()}@example.com` }),
      }),
    );
    await json(
      await call(`/v1/admin/contacts/${person.id}/company`, {
        method: 'PUT',
        body: JSON.stringify({ companyId: company.id }),
      }),
    );
    const exported = await json<{ contact: { companyId: string | null } }>(
      await call(`/v1/admin/contacts/${person.id}/export`),
    );
    expect(exported.contact.companyId).toBe(company.id);
    const erased = await call(`/v1/admin/contacts/${person.id}/erase`, { method: 'POST' });
    expect(erased.status).toBe(200);
    const link = await env.DB.prepare('SELECT COUNT(*) AS n FROM contacts WHERE company_id = ?')
      .bind(company.id)
      .first<{ n: number }>();
    expect(link?.n).toBe(0);
    expect((await call(`/v1/admin/companies/${company.id}`)).status).toBe(200);
  });
});

describe('email_conversation', () => {
  const transcriptPilot = async (subject: string) => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Transcript',
      trigger: { type: 'event', name: 'go' },
      start: 'hello',
      nodes: [
        {
          id: 'hello',
          type: 'send_message',
          text: 'Our plans',
          buttons: [{ label: 'Pricing', url: 'https://shop.example/pricing' }],
          next: 'ask',
        },
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Your email?',
          input: { kind: 'email' },
          saveTo: 'contact.email',
          next: 'mail',
        },
        { id: 'mail', type: 'email_conversation', to: { kind: 'visitor' }, subject, next: 'done' },
        say('done', 'Sent'),
      ],
    });
    return publicKey;
  };

  it('emails the transcript as the visitor saw it, once, across a restart of the conversation', async () => {
    const subject = `Transcript ${crypto.randomUUID()}`;
    const publicKey = await transcriptPilot(subject);
    const email = `t-${crypto.randomUUID()}@example.com`;
    const { socket, conversationId } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'Your email?');
    socket.send({ type: 'message', text: email });
    await said(socket, 'Sent');
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
    await evictDurableObject(stub);
    // After the restart the conversation goes on; the step is not sent again.
    const again = await openSocket(
      conversationId,
      (await startSession(publicKey)).body!.token,
    ).catch(() => null);
    again?.close();
    const rows = async () =>
      (
        await json<{ items: { to: string; subject: string; data: { body: string } }[] }>(
          await call('/v1/admin/outbox?limit=100'),
        )
      ).items.filter((e) => e.subject === subject);
    const outbox = await eventually(rows, (items) => items.length > 0, 'the transcript email');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.to).toBe(email);
    expect(outbox[0]?.data.body).toBe(
      [
        'Pilot: Our plans\n  Pricing: https://shop.example/pricing',
        'Pilot: Your email?',
        `You: ${email}`,
      ].join('\n\n'),
    );
    socket.close();
  });

  it('a step run again after an unknown outcome finds its outbox row and sends nothing twice', async () => {
    const { pilotId } = await createPilot();
    let sends = 0;
    const transport: EmailTransport = {
      name: 'counting',
      send: async () => {
        sends++;
        return { id: `provider_${sends}` };
      },
    };
    const ctx = {
      env: env as unknown as AppEnv,
      workspaceId: 'ws_capture_test',
      pilotId,
      conversationId: `conv_${crypto.randomUUID()}`,
      visitorId: 'v_test',
      userId: null,
      runId: `run_${crypto.randomUUID()}`,
      now: Date.now(),
      transcript: () => 'Pilot: Hi',
    };
    const effect = {
      type: 'email_conversation' as const,
      nodeId: 'mail',
      awaitResult: true,
      idempotencyKey: `${ctx.runId}:3:mail`,
      to: { kind: 'address' as const, address: 'ops@example.com' },
      subject: 'Transcript',
    };
    expect(await runEmailConversation(effect, ctx, transport)).toMatchObject({ ok: true });
    // The restart: the same step, the same key, a longer conversation by now.
    const replay = { ...ctx, transcript: () => 'Pilot: Hi\n\nYou: more' };
    expect(await runEmailConversation(effect, replay, transport)).toMatchObject({ ok: true });
    expect(sends).toBe(1);
    const { results } = await env.DB.prepare('SELECT data FROM outbox WHERE conversation_id = ?')
      .bind(ctx.conversationId)
      .all<{ data: string }>();
    expect(results.map((r) => JSON.parse(r.data).body)).toEqual(['Pilot: Hi']);
  });

  it('goes to onError when no address is known (no contact email)', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'No address',
      trigger: { type: 'event', name: 'go' },
      start: 'mail',
      nodes: [
        {
          id: 'mail',
          type: 'email_conversation',
          to: { kind: 'visitor' },
          next: 'ok',
          onError: 'no',
        },
        say('ok', 'Sent'),
        say('no', 'No address'),
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'No address');
    socket.close();
  });
});
