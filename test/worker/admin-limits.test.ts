/**
 * API keys (shown once, stored hashed, scoped, revocable), per-key and per-IP rate limits
 * (429), the 1 MB body limit (413) and conflicts (409), through the real Worker and D1.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../worker/auth/hash.ts';
import { request, sampleFlow, workspace, workspaceWithFlow } from './admin-fixtures.ts';

interface ErrorShape {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

describe('API keys', () => {
  it('shows a new key once, stores only its hash, and the key works with its scopes', async () => {
    const ws = await workspace();
    const created = await ws.json<{ id: string; key: string; prefix: string; scopes: string[] }>(
      '/api-keys',
      { method: 'POST', body: { name: 'reporting', scopes: ['read'] } },
    );
    expect(created.status).toBe(201);
    const { id, key, prefix } = created.body;
    expect(key.startsWith(prefix)).toBe(true);

    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(id).first();
    expect(row?.key_hash).toBe(await sha256Hex(key));
    expect(JSON.stringify(row)).not.toContain(key);

    const list = await ws.json<{ items: Record<string, unknown>[] }>('/api-keys');
    const listed = list.body.items.find((k) => k.id === id);
    expect(listed).toMatchObject({ name: 'reporting', prefix, scopes: ['read'] });
    expect(JSON.stringify(list.body)).not.toContain(key);

    expect((await request('/pilots', {}, key)).status).toBe(200);
    const write = await request('/pilots', { method: 'POST', body: { name: 'x' } }, key);
    expect(write.status).toBe(403);
    expect(((await write.json()) as ErrorShape).error.code).toBe('forbidden');
  });

  it('revokes a key at once: it answers 401 afterwards and leaves the list', async () => {
    const ws = await workspace();
    const { body } = await ws.json<{ id: string; key: string }>('/api-keys', {
      method: 'POST',
      body: { name: 'temporary', scopes: ['read', 'write'] },
    });
    expect((await request('/pilots', {}, body.key)).status).toBe(200);
    const revoked = await ws.json(`/api-keys/${body.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const after = await request('/pilots', {}, body.key);
    expect(after.status).toBe(401);
    expect(((await after.json()) as ErrorShape).error.code).toBe('unauthorized');
    const list = await ws.json<{ items: { id: string }[] }>('/api-keys');
    expect(list.body.items.map((k) => k.id)).not.toContain(body.id);
    // Revoking twice is a 404: there is no live key with that id.
    expect((await ws.call(`/api-keys/${body.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

/**
 * The limiters count in fixed one-minute windows aligned to the clock. A check that straddles
 * a window's end would see its count restart, so `check` runs again, with a fresh key or
 * address (`attempt`), until one run fits inside one window.
 */
async function inOneWindow<T>(check: (attempt: number) => Promise<T>): Promise<T> {
  const minute = () => Math.floor(Date.now() / 60_000);
  for (let attempt = 0; ; attempt++) {
    const start = minute();
    const result = await check(attempt);
    if (minute() === start) return result;
  }
}

describe('rate limits', () => {
  it('answers 429 with the error shape once a key spends its budget, while other keys go on', async () => {
    const ws = await workspace();
    const { spent, limited } = await inOneWindow(async () => {
      const { body } = await ws.json<{ id: string; key: string }>('/api-keys', {
        method: 'POST',
        body: { name: 'busy', scopes: ['read'] },
      });
      // Spend the key's budget (600 a minute, wrangler.toml ADMIN_KEY_LIMITER) in the binding
      // itself, rather than with 600 HTTP calls; the next HTTP call must then be refused.
      let spent = 0;
      while (spent <= 600 && (await env.ADMIN_KEY_LIMITER.limit({ key: `key:${body.id}` })).success)
        spent++;
      const response = await request('/pilots', {}, body.key);
      return {
        spent,
        limited: {
          status: response.status,
          type: response.headers.get('content-type'),
          body: (await response.json()) as ErrorShape,
        },
      };
    });
    expect(spent).toBe(600);
    expect(limited.status).toBe(429);
    expect(limited.type).toContain('application/json');
    expect(limited.body.error.code).toBe('rate_limited');
    // The workspace's other keys have budgets of their own.
    expect((await ws.call('/pilots')).status).toBe(200);
  });

  it("holds a workspace's keys together to its own budget: a fresh key is refused once the workspace spent it", async () => {
    // A review: each of up to 100 minted keys had its own 600 a minute.
    const ws = await workspace();
    const other = await workspace();
    const { spent, fresh, elsewhere } = await inOneWindow(async () => {
      const { body } = await ws.json<{ id: string; key: string }>('/api-keys', {
        method: 'POST',
        body: { name: 'fresh', scopes: ['read'] },
      });
      // Spend the workspace's budget (3,000 a minute, ADMIN_WORKSPACE_LIMITER) in the binding.
      let spent = 0;
      while (
        spent <= 3000 &&
        (await env.ADMIN_WORKSPACE_LIMITER.limit({ key: `ws:${ws.id}` })).success
      )
        spent++;
      const fresh = await request('/pilots', {}, body.key);
      const elsewhere = await other.call('/pilots');
      return { spent, fresh: fresh.status, elsewhere: elsewhere.status };
    });
    // Spent up to the budget here (the key's creation took one request of it).
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThan(3000);
    // The new key has spent one request of its own, and is still refused.
    expect(fresh).toBe(429);
    // Another workspace is not held back.
    expect(elsewhere).toBe(200);
  });

  it('never refuses the local seed (npm start) for a key that spent its budget', async () => {
    const { limited, seeded } = await inOneWindow(async () => {
      // A key of the default workspace, the one the seed fills (the local tooling's key).
      const created = await request(
        '/api-keys',
        { method: 'POST', body: { name: 'local tooling', scopes: ['read', 'write'] } },
        'dev-admin-key',
      );
      const { id, key } = (await created.json()) as { id: string; key: string };
      // Spent in the binding itself (600 a minute), as above.
      for (
        let i = 0;
        i <= 600 && (await env.ADMIN_KEY_LIMITER.limit({ key: `key:${id}` })).success;
        i++
      );
      const other = await request('/pilots', {}, key);
      await other.body?.cancel();
      const seed = await request('/dev/seed', { method: 'POST' }, key);
      return { limited: other.status, seeded: { status: seed.status, body: await seed.json() } };
    });
    // The key is spent for every other route, and the seed still answers with the demo.
    expect(limited).toBe(429);
    expect(seeded.status).toBe(200);
    expect(seeded.body).toMatchObject({ publicKey: 'pk_demo' });
  });

  it('throttles key guessing from one client with 429 instead of 401', async () => {
    const statuses = await inOneWindow(async (attempt) => {
      const ip = `192.0.2.${70 + attempt}`;
      const seen: number[] = [];
      for (let i = 0; i < 35; i++) {
        const r = await request(
          '/pilots',
          { headers: { 'cf-connecting-ip': ip } },
          `ep_guess_${i}`,
        );
        seen.push(r.status);
        await r.body?.cancel();
      }
      return seen;
    });
    // 30 failures a minute per address (ADMIN_AUTH_LIMITER), then 429 only.
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
  });
});

describe('the 1 MB body limit', () => {
  it('answers 413 with the error shape to bodies over 1 MB on every kind of write, storing nothing', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const huge = 'x'.repeat(1024 * 1024 + 1);
    const cases: [string, string, unknown][] = [
      ['POST', '/flows', { ...sampleFlow(pilot.id), description: huge }],
      ['PUT', `/flows/${flowId}`, { ...sampleFlow(pilot.id), description: huge }],
      ['POST', `/flows/${flowId}/validate`, { ...sampleFlow(pilot.id), description: huge }],
      ['POST', '/pilots', { name: 'Big', persona: huge }],
      ['POST', `/pilots/${pilot.id}/knowledge`, { title: 'Big', body: huge }],
      ['POST', '/contacts', { email: 'big@example.com', name: huge }],
    ];
    for (const [method, path, body] of cases) {
      const res = await ws.call(path, { method, body });
      expect(`${method} ${path} -> ${res.status}`).toBe(`${method} ${path} -> 413`);
      expect(((await res.json()) as ErrorShape).error.code).toBe('payload_too_large');
    }
    const flows = await ws.json<{ items: unknown[] }>(`/flows?pilotId=${pilot.id}`);
    expect(flows.body.items).toHaveLength(1);
    const flow = await ws.json<{ revision: number }>(`/flows/${flowId}`);
    expect(flow.body.revision).toBe(1);
  });

  it('counts the bytes actually sent, not the declared length', async () => {
    const { ws, pilot } = await workspaceWithFlow();
    // A streamed body has no Content-Length to trust.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"title":"t","body":"'));
        if (sent > 1024 * 1024 + 1) {
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const res = await ws.call(`/pilots/${pilot.id}/knowledge`, {
      method: 'POST',
      raw: stream as unknown as string,
      // @ts-expect-error workerd needs this for a streamed request body
      duplex: 'half',
    });
    expect(res.status).toBe(413);
  });
});

describe('conflicts', () => {
  it('answers 409 to a duplicate name or email and keeps the first', async () => {
    const ws = await workspace();
    const pilot = await ws.json<{ id: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Conflicts' },
    });
    const email = `${crypto.randomUUID()}@example.com`;
    const twice: [string, unknown][] = [
      ['/users', { name: 'Ada', email }],
      ['/contacts', { email }],
      ['/teams', { name: 'Support', members: [] }],
      [`/pilots/${pilot.body.id}/variables`, { name: 'plan', type: 'text', value: 'pro' }],
      [
        `/pilots/${pilot.body.id}/intents`,
        {
          name: 'refund',
          trainingPhrases: [
            'refund please',
            'money back',
            'I want a refund',
            'return my payment',
            'cancel and refund',
          ],
        },
      ],
    ];
    for (const [path, body] of twice) {
      const first = await ws.call(path, { method: 'POST', body });
      expect(`${path} -> ${first.status}`).toBe(`${path} -> 201`);
      const second = await ws.call(path, { method: 'POST', body });
      expect(`${path} -> ${second.status}`).toBe(`${path} -> 409`);
      expect(((await second.json()) as ErrorShape).error.code).toBe('conflict');
      const list = await ws.json<{ items: unknown[] }>(path);
      expect(`${path}: ${list.body.items.length}`).toBe(`${path}: 1`);
    }
  });

  it('answers 409 to unpublishing a flow that is not live, and to deleting a user still in a team', async () => {
    const { ws, flowId } = await workspaceWithFlow();
    const unpublish = await ws.json<ErrorShape>(`/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(unpublish.status).toBe(409);
    expect(unpublish.body.error.code).toBe('conflict');

    const user = await ws.json<{ id: string }>('/users', {
      method: 'POST',
      body: { name: 'Grace', email: `${crypto.randomUUID()}@example.com` },
    });
    await ws.json('/teams', { method: 'POST', body: { name: 'Sales', members: [user.body.id] } });
    const removal = await ws.json<ErrorShape>(`/users/${user.body.id}`, { method: 'DELETE' });
    expect(removal.status).toBe(409);
    expect(removal.body.error.message).toContain('Sales');
    expect((await ws.call(`/users/${user.body.id}`)).status).toBe(200);
  });
});
