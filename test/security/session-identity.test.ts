import fc from 'fast-check';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import {
  admin,
  createPilot,
  expectClientError,
  ok,
  request,
  SESSION_SECRET,
  type Session,
  session,
} from './helpers.ts';

async function hmacHex(secret: string, data: string) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

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
