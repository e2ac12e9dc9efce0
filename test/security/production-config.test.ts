/**
 * Issue 12 item 4: the committed configuration is safe to deploy. This suite's Worker takes
 * ENVIRONMENT from wrangler.toml as committed (the config overrides only the secrets), and the
 * same Worker code is called with the secrets a careless deploy would have.
 */
import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { DEV_ADMIN_KEY, DEV_SESSION_SECRET } from '../../worker/env.ts';
import { app } from '../../worker/index.ts';
import {
  ADMIN_KEY,
  admin,
  BASE,
  createPilot,
  expectClientError,
  ok,
  request,
  SESSION_SECRET,
  type Session,
  session,
} from './helpers.ts';

type Env = Parameters<typeof app.fetch>[1];

/** The real Worker app with some bindings replaced (undefined removes one). */
function fetchWith(bindings: Record<string, string | undefined>, path: string, init?: RequestInit) {
  const patched = { ...(env as unknown as Record<string, unknown>), ...bindings } as Env;
  return app.fetch(new Request(`${BASE}${path}`, init), patched);
}

describe('the committed wrangler.toml', () => {
  it('is production: the public dev admin key, dev token secret and seed route are refused', async () => {
    expect(env.ENVIRONMENT).toBe('production');
    const devKey = await admin('/pilots', { key: DEV_ADMIN_KEY });
    expect(devKey.status).toBe(401);
    expect((await expectClientError(devKey, 'dev admin key')).error.code).toBe('unauthorized');
    // The seed route does not exist in production, even for the real bootstrap key.
    const seeded = await admin('/dev/seed', { method: 'POST' });
    expect(seeded.status).toBe(404);
    expect((await expectClientError(seeded, 'seed')).error.code).toBe('not_found');

    // A token signed with the public development secret opens no socket and posts nothing.
    const pilot = await createPilot();
    const victim = await ok<Session>(await session(pilot.publicKey, {}));
    const forged = await sign(
      {
        sub: victim.visitorId,
        pid: pilot.publicKey,
        cid: victim.conversationId,
        exp: Math.floor(Date.now() / 1000) + 600,
      },
      DEV_SESSION_SECRET,
      'HS256',
    );
    const socket = await request(
      `/v1/widget/conversations/${victim.conversationId}/socket?token=${encodeURIComponent(forged)}`,
      { headers: { upgrade: 'websocket' } },
    );
    expect(socket.status).toBe(401);
    expect((await expectClientError(socket, 'forged socket')).error.code).toBe('unauthorized');
    const beacon = await request(`/v1/widget/${pilot.publicKey}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: forged,
        frames: [{ v: 1, type: 'message', id: crypto.randomUUID(), text: 'forged' }],
      }),
    });
    expect(beacon.status).toBe(401);
  });
});

describe('a production Worker without real secrets', () => {
  const good = { ADMIN_API_KEY: ADMIN_KEY, SESSION_SECRET };
  const careless: [string, Record<string, string | undefined>, string[]][] = [
    [
      'no secrets',
      { ADMIN_API_KEY: undefined, SESSION_SECRET: undefined },
      ['ADMIN_API_KEY', 'SESSION_SECRET'],
    ],
    ['no session secret', { ...good, SESSION_SECRET: undefined }, ['SESSION_SECRET']],
    ['no admin key', { ...good, ADMIN_API_KEY: undefined }, ['ADMIN_API_KEY']],
    [
      'the public development values',
      { ADMIN_API_KEY: DEV_ADMIN_KEY, SESSION_SECRET: DEV_SESSION_SECRET },
      ['ADMIN_API_KEY', 'SESSION_SECRET'],
    ],
    ['a short session secret', { ...good, SESSION_SECRET: 'hunter2' }, ['SESSION_SECRET']],
    ['an empty admin key', { ...good, ADMIN_API_KEY: '' }, ['ADMIN_API_KEY']],
    // No ENVIRONMENT at all is production too.
    [
      'no ENVIRONMENT and no secrets',
      { ENVIRONMENT: undefined, ADMIN_API_KEY: undefined, SESSION_SECRET: undefined },
      ['ADMIN_API_KEY', 'SESSION_SECRET'],
    ],
  ];

  it('answers every admin and widget route with 503 naming the secrets to set, never a fallback', async () => {
    const pilot = await createPilot();
    const visitor = await ok<Session>(await session(pilot.publicKey, {}));
    for (const [what, bindings, missing] of careless) {
      const calls: [string, RequestInit?][] = [
        ['/v1/admin/pilots', { headers: { authorization: `Bearer ${DEV_ADMIN_KEY}` } }],
        ['/v1/admin/pilots', { headers: { authorization: `Bearer ${ADMIN_KEY}` } }],
        [
          '/v1/admin/dev/seed',
          { method: 'POST', headers: { authorization: `Bearer ${DEV_ADMIN_KEY}` } },
        ],
        ['/v1/admin/openapi.json'],
        [`/v1/widget/${pilot.publicKey}/config`],
        [
          `/v1/widget/${pilot.publicKey}/session`,
          {
            method: 'POST',
            headers: { origin: 'https://shop.example.com', 'content-type': 'application/json' },
            body: '{}',
          },
        ],
        [
          `/v1/widget/conversations/${visitor.conversationId}/socket?token=${encodeURIComponent(visitor.token)}`,
          { headers: { upgrade: 'websocket' } },
        ],
      ];
      for (const [path, init] of calls) {
        const response = await fetchWith(bindings, path, init);
        const label = `${what}: ${init?.method ?? 'GET'} ${path}`;
        expect(response.status, label).toBe(503);
        const body = (await response.json()) as {
          error: { code: string; message: string; issues: { path: string }[] };
        };
        expect(body.error.code, label).toBe('not_configured');
        expect(
          body.error.issues.map((i) => i.path),
          label,
        ).toEqual(missing);
        for (const name of missing) {
          expect(body.error.message, label).toContain(`wrangler secret put ${name}`);
        }
      }
    }
    // The same Worker with real secrets serves as usual (the refusals came from the check).
    expect(
      (
        await fetchWith(good, '/v1/admin/pilots', {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        })
      ).status,
    ).toBe(200);
  });
});
