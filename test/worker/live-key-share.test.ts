/**
 * A pilot's live view has room for a bounded number of sockets (every change fans out to each)
 * and open tickets (a bounded table). Before these limits per key, one read-only key — the
 * least trusted admin credential — could take all of them: 20 sockets held open with pings, or
 * 100 tickets minted every 30 s (well within its 600 requests a minute), and the site owner's
 * console got 429 on the live view and the inbox's live updates until the key was revoked.
 */
import { env, listDurableObjectIds } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import { MAX_LIVE_SOCKETS_PER_KEY, MAX_LIVE_SUBSCRIBERS } from '../../worker/live/live-limits.ts';
import { MAX_LIVE_TICKETS, MAX_LIVE_TICKETS_PER_KEY } from '../../worker/live/live-tickets.ts';
import { request, workspace } from './admin-fixtures.ts';

async function setup() {
  const ws = await workspace();
  const pilot = await ws.json<{ id: string }>('/pilots', {
    method: 'POST',
    body: { name: 'Shared live pilot', trustedDomains: ['localhost'] },
  });
  return { ws, pilotId: pilot.body.id };
}

function openLive(pilotId: string, key: string) {
  return request(
    `/live/socket?pilotId=${encodeURIComponent(pilotId)}`,
    { headers: { upgrade: 'websocket' } },
    key,
  );
}

describe('one key cannot take a pilot’s whole live view', () => {
  it(`refuses a key a live socket past ${MAX_LIVE_SOCKETS_PER_KEY} of its own with 429 rate_limited, and another key still opens one`, async () => {
    const { ws, pilotId } = await setup();
    const open: WebSocket[] = [];
    let refused: Response | null = null;
    // The read-only key tries to take every socket the pilot has.
    for (let i = 0; i < MAX_LIVE_SUBSCRIBERS; i++) {
      const response = await openLive(pilotId, ws.readKey);
      if (!response.webSocket) {
        refused = response;
        break;
      }
      response.webSocket.accept();
      open.push(response.webSocket);
    }
    expect(open).toHaveLength(MAX_LIVE_SOCKETS_PER_KEY);
    expect(refused?.status).toBe(429);
    expect(await refused?.json()).toMatchObject({
      error: { code: ErrorCode.rateLimited, message: expect.stringContaining('per key') },
    });
    // The owner's key still watches.
    const owner = await openLive(pilotId, ws.key);
    expect(owner.status).toBe(101);
    owner.webSocket?.accept();
    owner.webSocket?.close();
    for (const socket of open) socket.close();
  });

  it(`refuses a key an open ticket past ${MAX_LIVE_TICKETS_PER_KEY} of its own with 429 rate_limited, and another key still gets one that opens the socket`, async () => {
    const { ws, pilotId } = await setup();
    let minted = 0;
    let refused: { status: number; body: { error: { code: string; message: string } } } | null =
      null;
    for (let i = 0; i < MAX_LIVE_TICKETS; i++) {
      const res = await ws.json<{ error: { code: string; message: string } }>('/live/tickets', {
        method: 'POST',
        body: { pilotId },
        key: ws.readKey,
      });
      if (res.status !== 201) {
        refused = res;
        break;
      }
      minted++;
    }
    expect(minted).toBe(MAX_LIVE_TICKETS_PER_KEY);
    expect(refused?.status).toBe(429);
    expect(refused?.body.error.code).toBe(ErrorCode.rateLimited);
    expect(refused?.body.error.message).toContain('per key');
    const owner = await ws.json<{ ticket: string }>('/live/tickets', {
      method: 'POST',
      body: { pilotId },
    });
    expect(owner.status).toBe(201);
    const opened = await request(
      `/live/socket?pilotId=${encodeURIComponent(pilotId)}&ticket=${encodeURIComponent(owner.body.ticket)}`,
      { headers: { upgrade: 'websocket' } },
      null,
    );
    expect(opened.status).toBe(101);
    opened.webSocket?.accept();
    opened.webSocket?.close();
  });
});

describe('live view sockets only listen', () => {
  it('closes a subscriber that sends anything but "ping" with 1008, and still answers ping with pong', async () => {
    const { ws, pilotId } = await setup();
    const response = await openLive(pilotId, ws.readKey);
    const socket = response.webSocket;
    if (!socket) throw new Error(`live socket refused: ${response.status}`);
    const received: string[] = [];
    socket.addEventListener('message', (event) => received.push(String(event.data)));
    const closed = new Promise<number>((resolve) =>
      socket.addEventListener('close', (event) => resolve(event.code)),
    );
    socket.accept();
    socket.send('ping');
    const deadline = Date.now() + 3_000;
    while (!received.includes('pong') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toContain('pong');
    // Each message used to wake the pilot's object (frequency claims, round robin, live
    // pushes) and was ignored, so a socket could keep it busy with a stream of frames.
    socket.send('x'.repeat(64 * 1024));
    const code = await Promise.race([
      closed,
      new Promise<string>((resolve) => setTimeout(() => resolve('still open after 3 s'), 3_000)),
    ]);
    expect(code).toBe(1008);
  });
});

describe('a forged live ticket', () => {
  it('for a pilot that does not exist is refused (401 unauthorized) without creating that pilot’s object', async () => {
    // No key at all: a well-formed random ticket and a made-up pilot id.
    const ghost = `pl_ghost_${crypto.randomUUID()}`;
    const ticket = 'A'.repeat(43);
    const res = await request(
      `/live/socket?pilotId=${encodeURIComponent(ghost)}&ticket=${ticket}`,
      { headers: { upgrade: 'websocket' } },
      null,
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: ErrorCode.unauthorized } });
    // Redeeming used to ask the object named by the request's pilotId, so every such request
    // created a Durable Object (with its tables) for any name an anonymous client chose.
    const ids = (await listDurableObjectIds(env.PILOT)).map((id) => id.toString());
    expect(ids).not.toContain(env.PILOT.idFromName(ghost).toString());
  });
});
