import fc from 'fast-check';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { contactVisitorId, conversationIdFor } from '../../worker/auth/visitor-token.ts';
import { hmacHex } from '../helpers/identity-hash.ts';
import { openSocket } from '../helpers/socket.ts';
import {
  admin,
  createPilot,
  expectClientError,
  indexed,
  ok,
  publishFlow,
  request,
  SESSION_SECRET,
  type Session,
  session,
} from './helpers.ts';

function socketRequest(conversationId: string, token: string) {
  return request(
    `/v1/widget/conversations/${conversationId}/socket?token=${encodeURIComponent(token)}`,
    { headers: { upgrade: 'websocket' } },
  );
}

describe('session origins', () => {
  it('refuses every origin that is not a trusted domain, however it is dressed up', async () => {
    const { publicKey } = await createPilot();
    const lookalikes = fc.oneof(
      fc.constantFrom(
        'https://shop.example.com.evil.net',
        'https://evilshop.example.com',
        'https://shop.example.co',
        'https://example.com',
        'https://example.org',
        'https://xexample.org',
        'https://example.org.evil.net',
        'https://a.example.org@evil.net',
        'https://shop.example.com%2e.evil.net',
        'chrome-extension://shop.example.com',
        'file://shop.example.com',
        'null',
        '',
        'http://localhost',
        'http://127.0.0.1',
      ),
      fc.webUrl().filter((url) => {
        const host = new URL(url).hostname;
        return host !== 'shop.example.com' && !host.endsWith('.example.org');
      }),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(lookalikes, async (origin) => {
        const response = await request(`/v1/widget/${publicKey}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
          body: '{}',
        });
        expect(response.status, origin).toBe(403);
        const body = await expectClientError(response, origin);
        expect(body.error.code).toBe('origin_not_allowed');
      }),
      { numRuns: 300 },
    );
    for (const origin of [
      'https://shop.example.com',
      'http://SHOP.example.com:8080',
      'https://a.example.org',
      'https://a.b.example.org',
    ]) {
      expect((await session(publicKey, {}, origin)).status, origin).toBe(200);
    }
  });
});

describe('identity enforcement', () => {
  it('gives the contact conversation only to a visitor with a valid hash, never to a forger', async () => {
    const identitySecret = 'identity-secret-for-the-security-suite';
    const pilot = await createPilot({ identitySecret, identityEnforced: true });
    const userId = `user-${crypto.randomUUID()}`;
    const hash = await hmacHex(identitySecret, userId);
    const owner = await ok<Session>(await session(pilot.publicKey, { user: { userId, hash } }));
    expect(owner.identified).toBe(true);
    const ownerSocket = await openSocket(owner.conversationId, owner.token);
    ownerSocket.send({ type: 'message', text: 'secret order 42' });
    await ownerSocket.waitForMessages((m) => m.some((x) => x.author === 'pilot'), 'the answer');
    ownerSocket.close();

    const flipped = hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const forgedHashes = [
      undefined,
      '',
      '0'.repeat(64),
      flipped,
      await hmacHex(identitySecret, `${userId}x`),
      await hmacHex('another-secret', userId),
      hash.slice(0, 63),
      `${hash}00`,
    ];
    for (const forged of forgedHashes) {
      const claim = await session(pilot.publicKey, { user: { userId, hash: forged } });
      if (claim.status !== 200) {
        await expectClientError(claim, `hash ${forged}`);
        continue;
      }
      const attacker = (await claim.json()) as Session;
      expect(attacker.identified, `hash ${forged}`).toBe(false);
      expect(attacker.conversationId).not.toBe(owner.conversationId);
      expect(attacker.visitorId).not.toBe(owner.visitorId);
      const socket = await openSocket(attacker.conversationId, attacker.token);
      socket.send({ type: 'message', text: 'show me my orders' });
      const seen = await socket.waitForMessages(
        (m) => m.some((x) => x.author === 'pilot'),
        'the attacker answer',
      );
      expect(seen.map((m) => m.text)).not.toContain('secret order 42');
      socket.close();
      // Its own token never opens the contact's conversation.
      await expectClientError(
        await socketRequest(owner.conversationId, attacker.token),
        'socket of the contact conversation',
      );
    }
    // The contact's visitor id cannot be claimed as an anonymous visitor id either.
    await expectClientError(
      await session(pilot.publicKey, { visitorId: owner.visitorId }),
      'claiming the contact visitor id',
    );
    // A contact gets no visitor key, and its visitor id passed as one resumes nothing.
    expect(owner.visitorKey).toBeNull();
    const asKey = await ok<Session>(
      await session(pilot.publicKey, { visitorKey: owner.visitorId }),
    );
    expect(asKey.conversationId).not.toBe(owner.conversationId);
    await indexed(owner.conversationId);
    const transcript = await ok<{ messages: { text: string }[] }>(
      await admin(`/conversations/${owner.conversationId}`),
    );
    expect(transcript.messages.map((m) => m.text)).toEqual(['secret order 42', 'Fallback answer.']);
  });

  it('does not identify anyone when identity is enforced and the hash is missing', async () => {
    const pilot = await createPilot({
      identitySecret: 'enforced-secret-value',
      identityEnforced: true,
    });
    const claim = await ok<Session>(
      await session(pilot.publicKey, { user: { userId: 'ceo@example.com' } }),
    );
    expect(claim.identified).toBe(false);
    expect(claim.visitorId).toMatch(/^v_/);
  });
});

/** Polls `read` until `done` holds (flow effects and the queue consumer run after the turn). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('unverified identify (SPEC 3.1: a userId without a valid hash)', () => {
  it('on a pilot without a secret (the default) gives a fresh anonymous visitor, never the contact conversation', async () => {
    const pilot = await createPilot();
    const userId = `alice-${crypto.randomUUID()}@corp`;
    // The conversation the contact would own if the bare claim were trusted.
    const secret = SESSION_SECRET;
    const contactConversation = await conversationIdFor(
      pilot.id,
      await contactVisitorId(pilot.id, userId, secret),
      secret,
    );
    const first = await ok<Session>(await session(pilot.publicKey, { user: { userId } }));
    const second = await ok<Session>(await session(pilot.publicKey, { user: { userId } }));
    for (const claim of [first, second]) {
      expect(claim.identified).toBe(false);
      expect(claim.visitorId).toMatch(/^v_/);
      expect(claim.conversationId).not.toBe(contactConversation);
    }
    // Two strangers claiming the same userId do not share a conversation either.
    expect(second.conversationId).not.toBe(first.conversationId);
    // A claim beside the visitor's own id keeps that visitor's conversation (attributes of an
    // unverified identify land there, on the anonymous visitor).
    const own = await ok<Session>(await session(pilot.publicKey, {}));
    const claimed = await ok<Session>(
      await session(pilot.publicKey, { visitorKey: own.visitorKey, user: { userId } }),
    );
    expect(claimed).toMatchObject({
      identified: false,
      visitorId: own.visitorId,
      conversationId: own.conversationId,
    });
  });

  it('cannot replay or post into a verified contact conversation, also after the pilot secret is removed', async () => {
    const identitySecret = 'identity-secret-removed-later-0123456789';
    const pilot = await createPilot({ identitySecret });
    const userId = `alice-${crypto.randomUUID()}@corp`;
    const hash = await hmacHex(identitySecret, userId);
    const alice = await ok<Session>(await session(pilot.publicKey, { user: { userId, hash } }));
    expect(alice.identified).toBe(true);
    const aliceSocket = await openSocket(alice.conversationId, alice.token);
    aliceSocket.send({ type: 'message', text: 'my card ends in 4242' });
    await aliceSocket.waitForMessages((m) => m.some((x) => x.author === 'pilot'), 'her answer');
    aliceSocket.close();

    const attack = async (what: string) => {
      const claim = await ok<Session>(await session(pilot.publicKey, { user: { userId } }));
      expect(claim.identified, what).toBe(false);
      expect(claim.conversationId, what).not.toBe(alice.conversationId);
      expect(claim.visitorId, what).not.toBe(alice.visitorId);
      // hello lastSeq 0 replays only the attacker's own (empty) conversation.
      const socket = await openSocket(claim.conversationId, claim.token, 0);
      socket.send({ type: 'message', text: `posted by the attacker ${what}` });
      const seen = await socket.waitForMessages(
        (m) => m.some((x) => x.author === 'pilot'),
        `the attacker answer ${what}`,
      );
      expect(seen.map((m) => m.text).join('\n'), what).not.toContain('4242');
      socket.close();
      const refused = await socketRequest(alice.conversationId, claim.token);
      expect(refused.status, what).toBe(401);
      expect((await expectClientError(refused, what)).error.code).toBe('unauthorized');
    };
    await attack('while the pilot has a secret');
    // Removing the secret (identity not enforced) must not reopen the bare claim.
    const removed = await admin(`/pilots/${pilot.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ identitySecret: null }),
    });
    expect((await ok<{ hasIdentitySecret: boolean }>(removed)).hasIdentitySecret).toBe(false);
    await attack('after the secret was removed');

    // Nothing the attacker posted reached her conversation; with the secret back, her valid
    // hash resumes it with her history.
    await indexed(alice.conversationId);
    const transcript = await ok<{ messages: { text: string }[] }>(
      await admin(`/conversations/${alice.conversationId}`),
    );
    expect(transcript.messages.map((m) => m.text)).toEqual([
      'my card ends in 4242',
      'Fallback answer.',
    ]);
    await ok(
      await admin(`/pilots/${pilot.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ identitySecret }),
      }),
    );
    const back = await ok<Session>(await session(pilot.publicKey, { user: { userId, hash } }));
    expect(back).toMatchObject({ identified: true, conversationId: alice.conversationId });
    const resumed = await openSocket(back.conversationId, back.token, 0);
    await resumed.waitForMessages(
      (m) => m.some((x) => x.text === 'my card ends in 4242'),
      'her history',
    );
    resumed.close();
  });

  it('cannot link to or change an existing contact record', async () => {
    const pilot = await createPilot();
    const userId = `alice-${crypto.randomUUID()}@corp`;
    const email = `${crypto.randomUUID()}@corp.example`;
    const alice = await ok<{ id: string }>(
      await admin('/contacts', {
        method: 'POST',
        body: JSON.stringify({ externalId: userId, email, name: 'Alice', tags: ['vip'] }),
      }),
    );
    await publishFlow(pilot.id, {
      name: 'Lead capture',
      trigger: { type: 'event', name: 'go' },
      start: 'contact',
      nodes: [
        { id: 'contact', type: 'update_contact', fields: { name: 'Mallory' }, next: 'tag' },
        { id: 'tag', type: 'add_tag', tags: ['pwned'], next: 'done' },
        { id: 'done', type: 'send_message', text: 'Saved.' },
      ],
    });
    const claim = await ok<Session>(await session(pilot.publicKey, { user: { userId } }));
    const socket = await openSocket(claim.conversationId, claim.token);
    socket.send({ type: 'identify', contact: { name: 'Mallory', fields: { plan: 'free' } } });
    socket.send({ type: 'event', name: 'go' });
    await socket.waitForMessages((m) => m.some((x) => x.text === 'Saved.'), 'the flow to finish');
    socket.close();
    // The flow wrote to the attacker's own anonymous contact (its effects run after the turn),
    // not to Alice's record.
    const own = await eventually(
      async () =>
        (await admin(`/contacts/ct_${claim.visitorId}`)).json() as Promise<{
          name?: string;
          tags?: string[];
          externalId?: string;
        }>,
      (contact) => contact.tags?.includes('pwned') === true,
      "the flow's writes to the visitor's own contact",
    );
    expect(own).toMatchObject({ name: 'Mallory', tags: ['pwned'] });
    expect(own.externalId).toBeUndefined();
    const record = await ok<Record<string, unknown>>(await admin(`/contacts/${alice.id}`));
    expect(record).toMatchObject({ externalId: userId, email, name: 'Alice', tags: ['vip'] });
  });
});

describe('visitor resume: the visitor key, never the visitor id', () => {
  it("a visitor id read from the admin API cannot resume that visitor's conversation", async () => {
    const pilot = await createPilot();
    const other = await createPilot();
    const readKey = (
      await ok<{ key: string }>(
        await admin('/api-keys', {
          method: 'POST',
          body: JSON.stringify({ name: 'read-only reviewer', scopes: ['read'] }),
        }),
      )
    ).key;
    const victim = await ok<Session>(await session(pilot.publicKey, {}));
    const victimSocket = await openSocket(victim.conversationId, victim.token);
    victimSocket.send({ type: 'message', text: 'victim secret 7781' });
    await victimSocket.waitForMessages((m) => m.some((x) => x.author === 'pilot'), 'the answer');

    // What a read-only admin sees: the conversation row, with its visitor id (and no key).
    const listed = await eventually(
      async () =>
        ok<{ items: { id: string; visitorId: string }[] }>(
          await admin(`/conversations?pilotId=${pilot.id}`, { key: readKey }),
        ),
      (page) => page.items.some((row) => row.id === victim.conversationId),
      'the victim conversation in the admin list',
    );
    const leaked = listed.items.find((row) => row.id === victim.conversationId)!.visitorId;
    expect(leaked).toBe(victim.visitorId);
    const detail = await admin(`/conversations/${victim.conversationId}`, { key: readKey });
    expect(await detail.text()).not.toContain(victim.visitorKey);
    expect(JSON.stringify(listed)).not.toContain(victim.visitorKey);

    const attempts: [string, Record<string, unknown>][] = [
      ['bare visitorId (older widgets)', { visitorId: leaked }],
      ['visitor id as the key', { visitorKey: leaked }],
      ['zero signature', { visitorKey: `${leaked}.${'0'.repeat(64)}` }],
      [
        'signed with another secret',
        {
          visitorKey: `${leaked}.${await hmacHex('not-the-server-secret', `visitor:${pilot.id}:${leaked}`)}`,
        },
      ],
      [
        'signed without the pilot',
        { visitorKey: `${leaked}.${await hmacHex(SESSION_SECRET, leaked)}` },
      ],
      ['key truncated', { visitorKey: `${victim.visitorKey}`.slice(0, -1) }],
      [
        'signature moved to another id',
        {
          visitorKey: `${victim.visitorKey}`.replace(/^v_(.)/, (_, c) =>
            c === 'x' ? 'v_y' : 'v_x',
          ),
        },
      ],
    ];
    for (const [what, body] of attempts) {
      const response = await session(pilot.publicKey, body);
      expect(response.status, what).toBe(200);
      const attacker = (await response.json()) as Session;
      expect(attacker.identified, what).toBe(false);
      expect(attacker.visitorId, what).not.toBe(leaked);
      expect(attacker.conversationId, what).not.toBe(victim.conversationId);
      // hello lastSeq 0 replays only the attacker's own (empty) conversation.
      const socket = await openSocket(attacker.conversationId, attacker.token, 0);
      socket.send({ type: 'message', text: `posted by the attacker: ${what}` });
      const seen = await socket.waitForMessages(
        (m) => m.some((x) => x.author === 'pilot'),
        `the attacker answer (${what})`,
      );
      expect(seen.map((m) => m.text).join('\n'), what).not.toContain('victim secret 7781');
      socket.close();
    }
    // The victim's key works on its own pilot only: on another pilot it is a stranger's.
    const elsewhere = await ok<Session>(
      await session(other.publicKey, { visitorKey: victim.visitorKey }),
    );
    expect(elsewhere.visitorId).not.toBe(victim.visitorId);

    // Nothing the attackers sent reached the victim's tab or transcript.
    await indexed(victim.conversationId);
    const transcript = await ok<{ messages: { text: string }[] }>(
      await admin(`/conversations/${victim.conversationId}`),
    );
    expect(transcript.messages.map((m) => m.text)).toEqual([
      'victim secret 7781',
      'Fallback answer.',
    ]);
    expect(victimSocket.messages().map((m) => m.text)).toEqual([
      'victim secret 7781',
      'Fallback answer.',
    ]);
    victimSocket.close();

    // The victim's own key (what its widget stored) still resumes its conversation.
    const back = await ok<Session>(
      await session(pilot.publicKey, { visitorKey: victim.visitorKey }),
    );
    expect(back).toMatchObject({
      visitorId: victim.visitorId,
      conversationId: victim.conversationId,
      visitorKey: victim.visitorKey,
    });
    const resumed = await openSocket(back.conversationId, back.token, 0);
    await resumed.waitForMessages(
      (m) => m.some((x) => x.text === 'victim secret 7781'),
      'the victim history after resume',
    );
    resumed.close();
  });
});

describe('visitor tokens', () => {
  async function forge(claims: Record<string, unknown>, secret = SESSION_SECRET) {
    return sign(claims as Parameters<typeof sign>[0], secret, 'HS256');
  }

  it('expire: a token past its expiry opens no socket and posts no beacon', async () => {
    const pilot = await createPilot();
    const visitor = await ok<Session & { expiresAt: number }>(await session(pilot.publicKey, {}));
    // The issued token lives at most an hour.
    expect(visitor.expiresAt - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(visitor.expiresAt).toBeGreaterThan(Date.now());
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: visitor.visitorId, pid: pilot.publicKey, cid: visitor.conversationId };
    const expired = await forge({ ...claims, exp: now - 1 });
    const refusals = [
      ['expired', expired],
      ['wrong secret', await forge({ ...claims, exp: now + 600 }, 'not-the-server-secret')],
      ['no expiry', await forge(claims)],
      [
        'unsigned',
        `${btoa('{"alg":"none","typ":"JWT"}')}.${btoa(JSON.stringify({ ...claims, exp: now + 600 }))}.`,
      ],
      ['empty', ''],
    ];
    for (const [what, token] of refusals) {
      const response = await socketRequest(visitor.conversationId, token ?? '');
      expect(response.status, what).toBe(401);
      await expectClientError(response, `socket with ${what} token`);
      const beacon = await request(`/v1/widget/${pilot.publicKey}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          frames: [{ v: 1, type: 'message', id: crypto.randomUUID(), text: `via ${what}` }],
        }),
      });
      await expectClientError(beacon, `beacon with ${what} token`);
    }
    // The valid token still works: the refusals changed nothing.
    const fresh = await socketRequest(visitor.conversationId, visitor.token);
    expect(fresh.status).toBe(101);
    fresh.webSocket?.accept();
    fresh.webSocket?.close(1000, 'done');
  });
});

describe('admin key guessing', () => {
  it('is rate limited per client address with 429 before 50 guesses, other addresses unaffected', async () => {
    const guesser = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await admin('/pilots', {
        key: `ek_guess_${i}_${crypto.randomUUID()}`,
        headers: { 'cf-connecting-ip': guesser },
      });
      statuses.push(response.status);
      await expectClientError(response, `guess ${i}`);
    }
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429)).every((s) => s === 429)).toBe(true);
    const other = await admin('/pilots', {
      key: 'ek_wrong',
      headers: { 'cf-connecting-ip': '203.0.113.51' },
    });
    expect(other.status).toBe(401);
  });
});
