/**
 * The live view socket streams every visitor's page and last message: a revoked key must stop
 * reading at once, and no key can open so many sockets that each change fans out without end.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../shared/errors.ts';
import { MAX_LIVE_SOCKETS_PER_KEY, MAX_LIVE_SUBSCRIBERS } from '../../worker/live/live-limits.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, json } from './runtime-helpers.ts';

async function readKey(): Promise<{ id: string; key: string }> {
  return json(
    await call('/v1/admin/api-keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'live reader', scopes: ['read'] }),
    }),
  );
}

function openLive(pilotId: string, key: string) {
  return call(`/v1/admin/live/socket?pilotId=${pilotId}`, {
    key,
    headers: { upgrade: 'websocket' },
  });
}

describe('live view access', () => {
  it('closes the live sockets of a key when the key is revoked', async () => {
    const { pilotId } = await createPilot();
    const { id, key } = await readKey();
    const response = await openLive(pilotId, key);
    const ws = response.webSocket;
    if (!ws) throw new Error(`live socket refused: ${response.status}`);
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener('close', (event) => resolve(event.code)),
    );
    ws.accept();

    const revoked = await call(`/v1/admin/api-keys/${id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    const code = await Promise.race([
      closed,
      new Promise<string>((resolve) => setTimeout(() => resolve('still open after 3 s'), 3_000)),
    ]);
    expect(code).toBe(CloseCode.unauthorized);
  });

  it(`refuses a live socket past ${MAX_LIVE_SUBSCRIBERS} per pilot with 429 rate_limited`, async () => {
    const { pilotId } = await createPilot();
    // Several keys: one key alone stops at MAX_LIVE_SOCKETS_PER_KEY (live-key-share.test.ts).
    const keys: string[] = [];
    for (let k = 0; k <= MAX_LIVE_SUBSCRIBERS / MAX_LIVE_SOCKETS_PER_KEY; k++)
      keys.push((await readKey()).key);
    const keyOf = (i: number) => keys[Math.floor(i / MAX_LIVE_SOCKETS_PER_KEY)] ?? '';
    const open: WebSocket[] = [];
    for (let i = 0; i < MAX_LIVE_SUBSCRIBERS; i++) {
      const ws = (await openLive(pilotId, keyOf(i))).webSocket;
      if (!ws) throw new Error(`socket ${i + 1} refused before the cap`);
      ws.accept();
      open.push(ws);
    }
    const refused = await openLive(pilotId, keys.at(-1) ?? '');
    expect(refused.status).toBe(429);
    expect(refused.webSocket).toBeNull();
    expect(await refused.json()).toMatchObject({ error: { code: ErrorCode.rateLimited } });
    for (const ws of open) ws.close();
  });
});
