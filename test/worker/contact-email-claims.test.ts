/**
 * An email an anonymous visitor types is a claim (SPEC 3.1: an unverified identity never reaches
 * anyone's data). The attacker's review of contacts: the unique email index made the first
 * visitor to type an address its holder, so a stranger could squat a customer's email — the
 * verified customer's own form then kept it only as a claim and an admin could not add them —
 * and the squatter's export and erasure matched every email sent to that address, from any
 * conversation.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import { hmacHex } from '../helpers/identity-hash.ts';
import { openSocket, startSession } from '../helpers/socket.ts';
import { createPilot, eventually, json, publishFlow, said } from './runtime-helpers.ts';

const IDENTITY_SECRET = 'claims-test-identity-secret-0123456789';

const userHash = (userId: string) => hmacHex(IDENTITY_SECRET, userId);

/** A pilot whose `go` event writes the address it carries to the conversation's contact. */
async function contactPilot() {
  const pilot = await createPilot({ identitySecret: IDENTITY_SECRET });
  await publishFlow(pilot.pilotId, {
    name: 'Save the address',
    trigger: { type: 'event', name: 'go' },
    start: 'save',
    nodes: [
      {
        id: 'save',
        type: 'update_contact',
        fields: { email: '{{event.to}}', name: '{{event.name}}' },
        next: 'done',
      },
      { id: 'done', type: 'send_message', text: 'Saved' },
    ],
  });
  return pilot;
}

/** One visitor (verified when `userId` is given) whose flow saves `to` as their email. */
async function save(publicKey: string, to: string, name: string, userId?: string) {
  const user = userId ? { userId, hash: await userHash(userId) } : undefined;
  const { body } = await startSession(publicKey, undefined, undefined, user);
  if (!body) throw new Error('session refused');
  const socket = await openSocket(body.conversationId, body.token);
  socket.send({ type: 'event', name: 'go', props: { to, name } });
  await said(socket, 'Saved');
  socket.close();
  return body;
}

const contactRow = (where: string, value: string) =>
  env.DB.prepare(`SELECT id, email, external_id FROM contacts WHERE ${where} = ?`)
    .bind(value)
    .first<{ id: string; email: string | null; external_id: string | null }>();

describe('an email typed by an anonymous visitor', () => {
  it('keeps neither the verified customer nor an admin from that address', async () => {
    const { publicKey } = await contactPilot();
    const customerEmail = `customer-${crypto.randomUUID()}@example.com`;
    const mallory = await save(publicKey, customerEmail, 'Mallory');
    // The squatter's own row holds what they typed (their claim, shown to admins as such).
    const squatted = await eventually(
      () => contactRow('id', `ct_${mallory.visitorId}`),
      (row) => row?.email === customerEmail,
      "the squatter's contact",
    );
    expect(squatted?.external_id).toBeNull();

    // The customer, verified, saves their own address: it is theirs.
    const userId = `customer-${crypto.randomUUID()}`;
    await save(publicKey, customerEmail, 'Customer', userId);
    const customer = await eventually(
      () => contactRow('external_id', userId),
      (row) => row?.email === customerEmail,
      "the verified customer's contact holding the address",
    );
    expect(customer?.external_id).toBe(userId);

    // An admin adds a person whose address a stranger typed first: 201, not 409.
    const adminEmail = `added-${crypto.randomUUID()}@example.com`;
    const squatter = await save(publicKey, adminEmail, 'Mallory again');
    await eventually(
      () => contactRow('id', `ct_${squatter.visitorId}`),
      (row) => row?.email === adminEmail,
      "the second squatter's contact",
    );
    const added = await call('/v1/admin/contacts', {
      method: 'POST',
      body: JSON.stringify({ email: adminEmail, name: 'Added by an admin' }),
    });
    expect(added.status).toBe(201);
    // Owning contacts still hold an address alone: a second admin-made one is 409.
    const again = await call('/v1/admin/contacts', {
      method: 'POST',
      body: JSON.stringify({ email: adminEmail, name: 'Twice' }),
    });
    expect(again.status).toBe(409);
  });

  it("finds no one else's emails in the squatter's export, and their erasure deletes none", async () => {
    const { pilotId, publicKey } = await contactPilot();
    const victimEmail = `victim-${crypto.randomUUID()}@example.com`;
    const mallory = await save(publicKey, victimEmail, 'Mallory');
    const contactId = `ct_${mallory.visitorId}`;
    await eventually(
      () => contactRow('id', contactId),
      (row) => row?.email === victimEmail,
      "the squatter's contact",
    );
    // An email the real owner of the address got from their own conversation.
    const emailId = `mail_${crypto.randomUUID()}`;
    await env.DB.prepare(
      `INSERT INTO outbox (id, workspace_id, pilot_id, conversation_id, to_address, subject, data, created_at)
       SELECT ?, workspace_id, id, ?, ?, 'Your invoice', '{"body":"Invoice 42"}', ? FROM pilots WHERE id = ?`,
    )
      .bind(emailId, `conv_victim_${crypto.randomUUID()}`, victimEmail, Date.now(), pilotId)
      .run();

    const exported = await json<{ emails: { id: string }[] }>(
      await call(`/v1/admin/contacts/${contactId}/export`),
    );
    expect(exported.emails.map((e) => e.id)).not.toContain(emailId);

    const erased = await call(`/v1/admin/visitors/${mallory.visitorId}/erase`, { method: 'POST' });
    expect(erased.status).toBe(200);
    expect(await contactRow('id', contactId)).toBeNull();
    const kept = await env.DB.prepare('SELECT id FROM outbox WHERE id = ?').bind(emailId).first();
    expect(kept).toEqual({ id: emailId });
  });
});
