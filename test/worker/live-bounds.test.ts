/**
 * The live view's table in the pilot object (worker/live/live-store.ts) gets one row per
 * conversation. A visitor needs only the public key to open sessions (120 a minute per address,
 * any number of addresses), and each new conversation's first turn adds a row of up to ~7 KB
 * (page URL, last message). Rows used to be deleted only by a privacy erasure, so the object's
 * storage grew without end until its writes (frequency claims, live tickets, unanswered
 * questions) and the queue batches applying rows to it failed. These tests feed the rows the
 * way the queue consumer does (`applyLive`) and count what the object's SQLite keeps.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  LIVE_IDLE_MS,
  LIVE_PRUNE_EVERY_WRITES,
  type LiveConversation,
  MAX_LIVE_ROWS,
} from '../../worker/live/live-store.ts';

function pilotStub(pilotId: string) {
  return env.PILOT.get(env.PILOT.idFromName(pilotId));
}

/** A row as a visitor's first turn makes it: a long page URL and a long message. */
function row(n: number, updatedAt: number): LiveConversation {
  return {
    conversationId: `c_flood_${n}`,
    visitorId: `v_flood_${n}`,
    userId: null,
    status: 'open',
    mode: 'pilot',
    pageUrl: `https://site.example/${'p'.repeat(200)}?n=${n}`,
    flowId: null,
    runId: null,
    nodeId: null,
    waitingSince: null,
    lastMessage: `spam ${n} ${'x'.repeat(200)}`,
    lastMessageAt: updatedAt,
    updatedAt,
    seq: updatedAt,
  };
}

async function storedRows(pilotId: string): Promise<number> {
  return runInDurableObject(
    pilotStub(pilotId),
    (_instance, state) =>
      state.storage.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM live').one().n,
  );
}

describe('live view table bounds', () => {
  it('drops rows of conversations idle past the live window instead of keeping them forever', async () => {
    const pilotId = `pl_live_idle_${crypto.randomUUID()}`;
    const stale = Date.now() - LIVE_IDLE_MS - 60_000;
    // 300 conversations that last moved 31 minutes ago (a queue batch arriving late, or rows
    // kept from earlier visitors), then one fresh turn.
    for (let i = 0; i < 300; i += 100)
      await pilotStub(pilotId).applyLive(
        Array.from({ length: 100 }, (_, j) => row(i + j, stale + i + j)),
      );
    await pilotStub(pilotId).applyLive([row(1_000, Date.now())]);
    expect(await storedRows(pilotId)).toBe(1);
    const listed = await pilotStub(pilotId).liveList(200);
    expect(listed.map((r) => r.conversationId)).toEqual(['c_flood_1000']);
  });

  it(`keeps fewer than ${MAX_LIVE_ROWS} + ${LIVE_PRUNE_EVERY_WRITES} rows however many sessions a visitor opens, the newest listed first`, async () => {
    const pilotId = `pl_live_flood_${crypto.randomUUID()}`;
    const total = MAX_LIVE_ROWS + 1_000;
    const start = Date.now() - 10 * 60_000; // all within the live window
    let most = 0;
    // Queue batches of 100 conversations, each newer than the last.
    for (let i = 0; i < total; i += 100) {
      await pilotStub(pilotId).applyLive(
        Array.from({ length: 100 }, (_, j) => row(i + j, start + i + j)),
      );
      most = Math.max(most, await storedRows(pilotId));
    }
    expect(most).toBeLessThan(MAX_LIVE_ROWS + LIVE_PRUNE_EVERY_WRITES);
    expect(await storedRows(pilotId)).toBeLessThan(MAX_LIVE_ROWS + LIVE_PRUNE_EVERY_WRITES);
    // The admin still sees the most recent conversations, newest first.
    const listed = await pilotStub(pilotId).liveList(200);
    expect(listed).toHaveLength(200);
    expect(listed[0]?.conversationId).toBe(`c_flood_${total - 1}`);
    expect(listed[199]?.conversationId).toBe(`c_flood_${total - 200}`);
  });
});
