/**
 * Tickets into the live view's WebSocket (worker/live/live-tickets.ts): a browser cannot send
 * the Authorization header on a WebSocket, so it trades its key (in a header) for a ticket that
 * opens one socket. These tests try to open the socket with everything a ticket must not be.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { MAX_LIVE_TICKETS, MAX_LIVE_TICKETS_PER_KEY } from '../../worker/live/live-tickets.ts';
import { addKey, request, workspace } from './admin-fixtures.ts';

interface Ticket {
  ticket: string;
  expiresAt: number;
  socketPath: string;
}

async function setup() {
  const ws = await workspace();
  const pilot = await ws.json<{ id: string }>('/pilots', {
    method: 'POST',
    body: { name: 'Live pilot', trustedDomains: ['localhost'] },
  });
  return { ws, pilotId: pilot.body.id };
}

async function mint(ws: Awaited<ReturnType<typeof workspace>>, pilotId: string, key?: string) {
  const res = await ws.json<Ticket>('/live/tickets', {
    method: 'POST',
    body: { pilotId },
    ...(key ? { key } : {}),
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Opens the socket with no Authorization header, as a browser does. */
function openWithTicket(pilotId: string, ticket: string) {
  return request(
    `/live/socket?pilotId=${encodeURIComponent(pilotId)}&ticket=${encodeURIComponent(ticket)}`,
    { headers: { upgrade: 'websocket' } },
    null,
  );
}

async function refusal(res: Response) {
  expect(res.webSocket).toBeNull();
  return {
    status: res.status,
    code: ((await res.json()) as { error: { code: string } }).error.code,
  };
}

describe('live socket tickets', () => {
  it('opens the socket once with a fresh ticket (snapshot first) and refuses the same ticket again', async () => {
    const { ws, pilotId } = await setup();
    const { ticket, expiresAt, socketPath } = await mint(ws, pilotId);
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(socketPath).toBe(`/v1/admin/live/socket?pilotId=${pilotId}`);
    const opened = await openWithTicket(pilotId, ticket);
    expect(opened.status).toBe(101);
    const socket = opened.webSocket;
    if (!socket) throw new Error('no socket');
    const first = new Promise<string>((resolve) =>
      socket.addEventListener('message', (e) => resolve(String(e.data)), { once: true }),
    );
    socket.accept();
    expect(JSON.parse(await first)).toEqual({ type: 'snapshot', items: [] });
    socket.close();

    expect(await refusal(await openWithTicket(pilotId, ticket))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('refuses a forged ticket, a malformed one and no ticket at all', async () => {
    const { pilotId } = await setup();
    const forged = 'A'.repeat(43);
    for (const ticket of [forged, 'short', `${forged}"><script>`]) {
      expect(await refusal(await openWithTicket(pilotId, ticket)), ticket).toEqual({
        status: 401,
        code: 'unauthorized',
      });
    }
    const bare = await request(`/live/socket?pilotId=${pilotId}`, {
      headers: { upgrade: 'websocket' },
    });
    expect(await refusal(bare)).toEqual({ status: 401, code: 'unauthorized' });
  });

  it('lets a ticket stand in for the key on the live socket only: any other route with a ticket and no key is 401', async () => {
    const { ws, pilotId } = await setup();
    const { ticket } = await mint(ws, pilotId);
    for (const [method, path] of [
      ['GET', `/live?pilotId=${pilotId}&ticket=${ticket}`],
      ['GET', `/pilots/${pilotId}?ticket=${ticket}`],
      ['POST', `/live/tickets?ticket=${ticket}`],
      ['GET', `/live/socket/?pilotId=${pilotId}&ticket=${ticket}`],
    ] as const) {
      const res = await request(path, { method, headers: { upgrade: 'websocket' } }, null);
      expect(`${method} ${path} -> ${res.status}`).toBe(`${method} ${path} -> 401`);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    // The ticket was not spent by those: it still opens the socket.
    const opened = await openWithTicket(pilotId, ticket);
    expect(opened.status).toBe(101);
    opened.webSocket?.accept();
    opened.webSocket?.close();
  });

  it('throttles refused tickets from one client with 429, like wrong keys, while other clients go on', async () => {
    const { ws, pilotId } = await setup();
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const forged = crypto.randomUUID().replace(/-/g, '') + 'A'.repeat(11);
      const res = await request(
        `/live/socket?pilotId=${pilotId}&ticket=${forged}`,
        { headers: { upgrade: 'websocket', 'cf-connecting-ip': ip } },
        null,
      );
      statuses.push(res.status);
      await res.body?.cancel();
    }
    // 30 failures a minute per address (ADMIN_AUTH_LIMITER), then 429 only.
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    const { ticket } = await mint(ws, pilotId);
    const opened = await openWithTicket(pilotId, ticket);
    expect(opened.status).toBe(101);
    opened.webSocket?.accept();
    opened.webSocket?.close();
  });

  it('refuses an expired ticket with token_expired, and does not accept it a second time either', async () => {
    const { ws, pilotId } = await setup();
    const { ticket } = await mint(ws, pilotId);
    // Age the stored ticket past its expiry, in the pilot's own object.
    const stub = env.PILOT.get(env.PILOT.idFromName(pilotId));
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('UPDATE live_tickets SET expires_at = ?', Date.now() - 1);
    });
    expect(await refusal(await openWithTicket(pilotId, ticket))).toEqual({
      status: 401,
      code: 'token_expired',
    });
    expect(await refusal(await openWithTicket(pilotId, ticket))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it("is bound to its pilot: another pilot's socket, even in the same workspace, refuses it", async () => {
    const { ws, pilotId } = await setup();
    const other = await ws.json<{ id: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Other pilot', trustedDomains: ['localhost'] },
    });
    const { ticket } = await mint(ws, pilotId);
    expect(await refusal(await openWithTicket(other.body.id, ticket))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it('dies with its key: a ticket minted by a key revoked since is refused', async () => {
    const { ws, pilotId } = await setup();
    const created = await ws.json<{ id: string; key: string }>('/api-keys', {
      method: 'POST',
      body: { name: 'watcher', scopes: ['read'] },
    });
    const { ticket } = await mint(ws, pilotId, created.body.key);
    const revoked = await ws.call(`/api-keys/${created.body.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(await refusal(await openWithTicket(pilotId, ticket))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
  });

  it("is minted only for the caller's own pilots, with a read-only key too, and never with the key in a URL", async () => {
    const { ws, pilotId } = await setup();
    const stranger = await workspace();
    const res = await stranger.json<{ error: { code: string } }>('/live/tickets', {
      method: 'POST',
      body: { pilotId },
    });
    expect(res.status).toBe(404);
    const reader = await mint(ws, pilotId, ws.readKey);
    expect(JSON.stringify(reader)).not.toContain(ws.readKey);
    const extra = await ws.json<{ error: { code: string; issues: { path: string }[] } }>(
      '/live/tickets',
      { method: 'POST', body: { pilotId, key: ws.key } },
    );
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('invalid_input');
  });

  it(`keeps at most ${MAX_LIVE_TICKETS} open tickets per pilot (429 beyond), and redeeming frees room`, async () => {
    const { ws, pilotId } = await setup();
    const minted: string[] = [];
    // Several keys: one key alone stops at MAX_LIVE_TICKETS_PER_KEY (live-key-share.test.ts).
    const keys: string[] = [];
    for (let k = 0; k <= MAX_LIVE_TICKETS / MAX_LIVE_TICKETS_PER_KEY; k++)
      keys.push(await addKey(ws.id, `live ${k}`, ['read']));
    for (let i = 0; i < MAX_LIVE_TICKETS; i++)
      minted.push((await mint(ws, pilotId, keys[Math.floor(i / MAX_LIVE_TICKETS_PER_KEY)])).ticket);
    const over = await ws.json<{ error: { code: string } }>('/live/tickets', {
      method: 'POST',
      body: { pilotId },
      key: keys.at(-1) ?? null,
    });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    const opened = await openWithTicket(pilotId, minted[0] ?? '');
    expect(opened.status).toBe(101);
    opened.webSocket?.accept();
    opened.webSocket?.close();
    await mint(ws, pilotId);
  }, 60_000);
});
