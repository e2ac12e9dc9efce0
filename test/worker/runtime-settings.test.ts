import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BASE, call } from '../helpers/admin.ts';
import { openSocket } from '../helpers/socket.ts';
import { createPilot, json, publishFlow, said, texts, visit } from './runtime-helpers.ts';

const say = (id: string, text: string) => ({ id, type: 'send_message' as const, text });
const eventFlow = (
  name: string,
  text: string,
  settings: Record<string, unknown>,
  priority = 100,
) => ({
  name,
  priority,
  trigger: { type: 'event' as const, name: 'go' },
  settings,
  start: 'm',
  nodes: [say('m', text)],
});

/** Sends `go`, then a marker message; everything the flows said arrives before the fallback. */
async function trigger(publicKey: string) {
  const visitor = await visit(publicKey);
  visitor.socket.send({ type: 'event', name: 'go' });
  visitor.socket.send({ type: 'message', text: 'marker' });
  await said(visitor.socket, 'Fallback answer.');
  visitor.socket.close();
  return texts(visitor.socket)
    .filter(([author]) => author === 'pilot')
    .map(([, text]) => text);
}

describe('execution settings', () => {
  it('runs a frequency-once flow once for a visitor under parallel triggers from tabs and beacons', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, eventFlow('Once', 'Only once', { frequency: 'once' }));
    const first = await visit(publicKey);
    const tabs = [first.socket, await openSocket(first.conversationId, first.token)];
    const beacons = Array.from({ length: 5 }, () =>
      exports.default.fetch(
        new Request(`${BASE}/v1/widget/${publicKey}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://localhost' },
          body: JSON.stringify({
            token: first.token,
            frames: [{ v: 1, type: 'event', id: crypto.randomUUID(), name: 'go' }],
          }),
        }),
      ),
    );
    for (const tab of tabs) for (let i = 0; i < 5; i++) tab.send({ type: 'event', name: 'go' });
    await Promise.all(beacons);
    first.socket.send({ type: 'message', text: 'marker' });
    await said(first.socket, 'Fallback answer.');
    expect(first.socket.messages().filter((m) => m.text === 'Only once')).toHaveLength(1);
    for (const tab of tabs) tab.close();
  });

  it('grants a once claim to exactly one of many concurrent conversations', async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`pilot-${crypto.randomUUID()}`));
    const results = await Promise.all(
      Array.from({ length: 25 }, () =>
        stub.claimRun('flow_a', 'contact:ada', 1_000, { once: true, cooldownMs: 0 }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('enforces a cooldown between runs for the same subject', async () => {
    const stub = env.PILOT.get(env.PILOT.idFromName(`pilot-${crypto.randomUUID()}`));
    const rule = { once: false, cooldownMs: 60_000 };
    expect(await stub.claimRun('f', 'visitor:v', 0, rule)).toBe(true);
    expect(await stub.claimRun('f', 'visitor:v', 30_000, rule)).toBe(false);
    expect(await stub.claimRun('f', 'visitor:other', 30_000, rule)).toBe(true);
    expect(await stub.claimRun('f', 'visitor:v', 61_000, rule)).toBe(true);

    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, eventFlow('Cooldown', 'Cooling', { cooldownSeconds: 3600 }));
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'Cooling');
    socket.send({ type: 'event', name: 'go' });
    socket.send({ type: 'message', text: 'marker' });
    await said(socket, 'Fallback answer.');
    expect(socket.messages().filter((m) => m.text === 'Cooling')).toHaveLength(1);
    socket.close();
  });

  it('respects start and stop dates', async () => {
    const { pilotId, publicKey } = await createPilot();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const past = new Date(Date.now() - 86_400_000).toISOString();
    await publishFlow(
      pilotId,
      eventFlow('Not yet', 'Too early', { start: { mode: 'custom', at: future } }, 1),
    );
    await publishFlow(
      pilotId,
      eventFlow('Over', 'Too late', { stop: { mode: 'custom', at: past } }, 2),
    );
    await publishFlow(
      pilotId,
      eventFlow('Now', 'Right on time', { start: { mode: 'custom', at: past } }, 3),
    );
    expect(await trigger(publicKey)).toEqual(['Right on time', 'Fallback answer.']);
  });

  it("uses the pilot's timezone, weekly office hours and holidays for the time window", async () => {
    const allWeek = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({
      day,
      from: '00:00',
      to: '24:00',
    }));
    const timezone = 'Pacific/Kiritimati';
    // Today's date where the pilot is (UTC+14), which is often tomorrow in UTC.
    const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(new Date());
    const windows = async (holidays: string[]) => {
      const { pilotId, publicKey } = await createPilot({
        timezone,
        officeHours: { weekly: allWeek, holidays },
      });
      await publishFlow(
        pilotId,
        eventFlow('Open', 'We are open', { timeWindow: 'office_hours' }, 1),
      );
      await publishFlow(
        pilotId,
        eventFlow('Closed', 'We are closed', { timeWindow: 'outside_office_hours' }, 2),
      );
      return trigger(publicKey);
    };
    expect(await windows([])).toEqual(['We are open', 'Fallback answer.']);
    expect(await windows([localToday])).toEqual(['We are closed', 'Fallback answer.']);
  });

  it('follows agent presence for availability settings', async () => {
    const { pilotId, publicKey } = await createPilot();
    const user = await json<{ id: string }>(
      await call('/v1/admin/users', {
        method: 'POST',
        body: JSON.stringify({ name: 'Grace', email: `grace-${crypto.randomUUID()}@example.com` }),
      }),
    );
    await publishFlow(
      pilotId,
      eventFlow(
        'Agents on',
        'An agent can help',
        { availability: { mode: 'specific_available', users: [user.id] } },
        1,
      ),
    );
    await publishFlow(
      pilotId,
      eventFlow('Agents off', 'Leave a message', { availability: { mode: 'all_unavailable' } }, 2),
    );
    const presence = (status: string) =>
      call(`/v1/admin/users/${user.id}/presence`, {
        method: 'PUT',
        body: JSON.stringify({ status }),
      });
    expect((await presence('online')).status).toBe(200);
    expect(await trigger(publicKey)).toEqual(['An agent can help', 'Fallback answer.']);
    await presence('offline');
    expect(await trigger(publicKey)).toEqual(['Leave a message', 'Fallback answer.']);
    const bad = await presence('busy');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'invalid_input', issues: [{ path: 'status' }] },
    });
  });
});
