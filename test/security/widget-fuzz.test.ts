/**
 * Property-based fuzzing (fast-check) of the public widget routes, over HTTP and over the
 * conversation socket: whatever arrives, the answer is a success or a 4xx JSON error (an
 * error frame on the socket), never a 5xx, and a rejected request or frame changes nothing
 * that a visitor or an agent could see.
 */
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol.ts';
import { openSocket } from '../helpers/socket.ts';
import { createPilot, expectClientError, ok, request, type Session, session } from './helpers.ts';

let pilot: { id: string; publicKey: string };
let owner: Session;

function conversation(conversationId: string) {
  return env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
}

/**
 * What an agent sees of the owner's conversation: its transcript and description, read from
 * the Durable Object (the admin API would rate-limit thousands of reads).
 */
async function visibleState() {
  const stub = conversation(owner.conversationId);
  return JSON.stringify([await stub.transcript(), await stub.describe()]);
}

beforeAll(async () => {
  pilot = await createPilot();
  owner = await ok<Session>(await session(pilot.publicKey, {}));
  const socket = await openSocket(owner.conversationId, owner.token);
  socket.send({ type: 'message', text: 'my first message' });
  await socket.waitForMessages((m) => m.some((x) => x.author === 'pilot'), 'the answer');
  socket.close();
});

/** Anything in place of a value: JSON values, odd strings, huge numbers. */
const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 80 }),
  fc.constantFrom(null, -1, 0, 1e308, '', '__proto__', 'pk_', 'v_', 'c_'.padEnd(40, 'a')),
);

/** A valid value of the given shape with one field replaced by anything, or removed. */
function mutated(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.constant(valid),
    fc.record({ key: fc.constantFrom(...keys), value: anything }).map(({ key, value }) => ({
      ...valid,
      [key]: value,
    })),
    fc.constantFrom(...keys).map((key) => {
      const { [key]: _, ...rest } = valid;
      return rest;
    }),
    fc.jsonValue({ maxDepth: 3 }),
  );
}

const frame = mutated({ v: 1, type: 'message', id: 'f', text: 'hello' }).map((f) =>
  f && typeof f === 'object' && !Array.isArray(f) && 'id' in f
    ? { ...f, id: crypto.randomUUID() }
    : f,
);

function httpCase() {
  const key = fc.oneof(
    fc.constant(pilot.publicKey),
    fc.constantFrom('pk_missing', 'pk_', 'PK_demo', '..', '%2e%2e', 'pk_%00'),
    fc.stringMatching(/^pk_[A-Za-z0-9_-]{0,70}$/),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
  );
  const token = fc.oneof(
    fc.constant(owner.token),
    fc.string({ maxLength: 200 }),
    fc
      .nat({ max: owner.token.length - 1 })
      .map((i) => `${owner.token.slice(0, i)}A${owner.token.slice(i + 1)}`),
  );
  const origin = fc.constantFrom('https://shop.example.com', 'https://evil.example', 'null', '');
  const contentType = fc.constantFrom(
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    '',
  );
  const text = (body: fc.Arbitrary<unknown>) =>
    fc.oneof(
      body.map((b) => JSON.stringify(b) ?? ''),
      fc.string({ maxLength: 200 }),
    );
  const sessionBody = mutated({
    visitorId: `v_${'a'.repeat(20)}`,
    visitorKey: `v_${'a'.repeat(20)}.${'0'.repeat(64)}`,
    user: { userId: 'u1', hash: 'ab' },
  });
  const validFrames = fc.array(
    fc.string({ minLength: 1, maxLength: 40 }).map((text) => ({
      v: 1,
      type: 'message',
      id: crypto.randomUUID(),
      text,
    })),
    { minLength: 1, maxLength: 3 },
  );
  const beaconBody = fc.oneof(
    fc.record({ token: fc.constant(owner.token), frames: validFrames }),
    fc
      .record({ token, frames: fc.oneof(fc.array(frame, { maxLength: 4 }), anything) })
      .chain((b) => mutated(b)),
  );
  return fc.oneof(
    fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      path: key.map((k) => `/v1/widget/${k}/config`),
    }),
    fc.record({
      method: fc.constant('POST'),
      path: key.map((k) => `/v1/widget/${k}/session`),
      origin,
      contentType,
      body: text(sessionBody),
    }),
    fc.record({
      method: fc.constantFrom('POST', 'GET'),
      path: key.map((k) => `/v1/widget/${k}/events`),
      contentType,
      body: text(beaconBody),
    }),
    fc.record({
      method: fc.constant('GET'),
      path: fc
        .tuple(fc.oneof(fc.constant(owner.conversationId), fc.string({ maxLength: 40 })), token)
        .map(
          ([id, t]) =>
            `/v1/widget/conversations/${encodeURIComponent(id)}/socket?token=${encodeURIComponent(t)}`,
        ),
      upgrade: fc.boolean(),
    }),
    fc.record({
      method: fc.constantFrom('GET', 'POST', 'PATCH', 'OPTIONS'),
      path: fc
        .array(fc.string({ maxLength: 12 }).map(encodeURIComponent), { maxLength: 4 })
        .map((s) => `/v1/widget/${s.join('/')}`),
      origin,
    }),
  );
}

describe('fuzzing the public widget routes', () => {
  it('answers 2,000 arbitrary requests with success or a 4xx JSON error, and a rejected one changes nothing', async () => {
    let before = await visibleState();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(httpCase(), async (c) => {
        const headers: Record<string, string> = {};
        if ('origin' in c && c.origin) headers.origin = c.origin;
        if ('contentType' in c && c.contentType) headers['content-type'] = c.contentType;
        if ('upgrade' in c && c.upgrade) headers.upgrade = 'websocket';
        const body = 'body' in c && c.method !== 'GET' ? c.body : undefined;
        const response = await request(c.path, { method: c.method, headers, body });
        const what = `${c.method} ${c.path} ${body ?? ''}`;
        expect(response.status, what).toBeLessThan(500);
        statuses.add(response.status);
        if (response.status === 101) response.webSocket?.accept();
        response.webSocket?.close(1000, 'fuzz');
        if (response.status === 429) {
          // The conversation's token bucket refused the batch's tail (applied frames before it
          // are kept and deduplicated on resend): none of the refused frames was stored.
          const { error } = await expectClientError(response, what);
          const frames = (JSON.parse(body ?? '{}') as { frames: { id: string }[] }).frames;
          const refused = (error.issues ?? []).map((i) => frames[Number(i.path.split('.')[1])]?.id);
          expect(refused.length, what).toBeGreaterThan(0);
          const stored = (await conversation(owner.conversationId).transcript()).map(
            (m) => m.clientId,
          );
          for (const id of refused) expect(stored, what).not.toContain(id);
          before = await visibleState();
        } else if (response.status >= 400) {
          await expectClientError(response, what);
          expect(await visibleState(), what).toBe(before);
        } else {
          await response.body?.cancel();
          before = await visibleState();
        }
      }),
      { numRuns: 2000 },
    );
    // The cases reached past validation too: accepted sessions and beacons, every refusal.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 202, 400, 401, 403, 404]));
  });

  it('refuses a body over the size limit with 413 JSON', async () => {
    const response = await request(`/v1/widget/${pilot.publicKey}/session`, {
      method: 'POST',
      headers: { origin: 'https://shop.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ visitorId: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    await expectClientError(response, 'oversized body');
  });

  it('answers arbitrary socket frames with acks or error frames and stores only valid messages', async () => {
    const anyFrame = fc.oneof(
      frame.map((f) => JSON.stringify(f) ?? 'null'),
      mutated({ v: 1, type: 'choice', id: 'c', seq: 1, value: 'x' }).map(
        (f) => JSON.stringify(f) ?? '',
      ),
      fc.string({ maxLength: 100 }),
      fc.constantFrom('', 'ping', '{', '[]', '{"v":2,"type":"message","id":"a","text":"x"}'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(anyFrame, { minLength: 1, maxLength: 8 }), async (raws) => {
        const visitor = await ok<Session>(await session(pilot.publicKey, {}));
        const socket = await openSocket(visitor.conversationId, visitor.token);
        let closedWith: number | null = null;
        socket.ws.addEventListener('close', (event) => {
          closedWith = event.code;
        });
        for (const raw of raws) socket.ws.send(raw);
        const sentinel = crypto.randomUUID();
        socket.ws.send(JSON.stringify({ v: 1, type: 'message', id: sentinel, text: 'sentinel' }));
        const acked = (f: ServerFrame) => f.type === 'ack' && f.id === sentinel;
        await socket.waitForMessages(() => socket.frames.some(acked), 'the sentinel ack');
        expect(closedWith).toBeNull();
        for (const f of socket.frames)
          if (f.type === 'error') expect(typeof f.code, JSON.stringify(f)).toBe('string');
        const ackedIds = new Set(socket.frames.flatMap((f) => (f.type === 'ack' ? [f.id] : [])));
        const accepted = raws.flatMap((raw) => {
          try {
            const parsed = JSON.parse(raw);
            return parsed?.type === 'message' && ackedIds.has(parsed.id) ? [parsed.text] : [];
          } catch {
            return [];
          }
        });
        const transcript = await conversation(visitor.conversationId).transcript();
        const stored = transcript.filter((m) => m.author === 'visitor').map((m) => m.text);
        expect(stored).toEqual([...accepted, 'sentinel']);
        socket.close();
      }),
      { numRuns: 100 },
    );
  });
});
