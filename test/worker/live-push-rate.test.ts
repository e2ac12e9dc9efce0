/**
 * The aggregate bound on the live view's direct pushes (worker/live/live-limits.ts): many
 * visitors of one pilot chatting at once each push their row to the pilot's one object after
 * every turn. Before, every push was parsed, stored and sent to every subscriber, with no bound
 * per pilot. Now a burst past LIVE_PUSH_BURST (then LIVE_PUSHES_PER_SECOND) is refused before
 * it is parsed, the subscribers get one `lagging` frame, and the rows come through the queue.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { LIVE_PUSH_BURST, LIVE_PUSHES_PER_SECOND } from '../../worker/live/live-limits.ts';
import type { LiveConversation } from '../../worker/live/live-store.ts';
import { liveSocket } from './live-helpers.ts';
import { createPilot, eventually, said, visit } from './runtime-helpers.ts';

const BURST = LIVE_PUSH_BURST * 3;

function row(conversationId: string, now: number): LiveConversation {
  return {
    conversationId,
    visitorId: `v_${conversationId}`,
    userId: null,
    status: 'open',
    mode: 'pilot',
    pageUrl: null,
    flowId: null,
    runId: null,
    nodeId: null,
    waitingSince: null,
    lastMessage: 'hello',
    lastMessageAt: now,
    updatedAt: now,
    seq: now,
  };
}

const pilotStub = (pilotId: string) => env.PILOT.get(env.PILOT.idFromName(pilotId));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live pushes per pilot', () => {
  it(`refuses pushes past ${LIVE_PUSH_BURST} at once (then ${LIVE_PUSHES_PER_SECOND} a second), tells the watcher it lags, and takes pushes again once the budget refills`, async () => {
    const { pilotId } = await createPilot();
    const live = await liveSocket(pilotId);
    const stub = pilotStub(pilotId);
    const now = Date.now();
    const ids = Array.from({ length: BURST }, (_, n) => `conv_burst_${pilotId}_${n}`);
    const started = Date.now();
    const answers = await Promise.all(ids.map((id) => stub.pushLive(row(id, now))));
    const elapsedMs = Date.now() - started;
    const accepted = ids.filter((_, n) => answers[n]);
    const refused = ids.filter((_, n) => !answers[n]);
    // The burst, plus what refilled while it was sent; everything past it refused.
    expect(accepted.length).toBeGreaterThanOrEqual(LIVE_PUSH_BURST);
    expect(accepted.length).toBeLessThanOrEqual(
      LIVE_PUSH_BURST + Math.ceil((elapsedMs / 1000) * LIVE_PUSHES_PER_SECOND),
    );
    expect(refused.length).toBeGreaterThan(0);
    // The watcher got the accepted rows and none of the refused ones, and a `lagging` frame.
    await eventually(
      async () => live.changed(),
      (changed) => accepted.every((id) => changed.includes(id)),
      'the accepted rows on the live socket',
    );
    const lagging = live.frames.filter((f) => f.type === 'lagging');
    expect(lagging.length).toBeGreaterThanOrEqual(1);
    expect(lagging.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / 1000) + 1);
    expect(lagging[0]).toEqual({ type: 'lagging', reason: 'push_rate' });
    expect(live.changed().filter((id) => refused.includes(id))).toEqual([]);
    // Refused rows were not stored either (the queue would bring real ones).
    const listed = (await stub.liveList(BURST)).map((r) => r.conversationId);
    expect(listed.filter((id) => refused.includes(id))).toEqual([]);

    // Normal traffic: a moment later one push is taken and reaches the watcher.
    await sleep(Math.ceil(2_000 / LIVE_PUSHES_PER_SECOND));
    const later = `conv_later_${pilotId}`;
    expect(await stub.pushLive(row(later, Date.now()))).toBe(true);
    await eventually(
      async () => live.changed(),
      (changed) => changed.includes(later),
      'the later row on the live socket',
    );
    live.ws.close();
  });

  it("answers a visitor while the pilot is past its push rate, and the visitor's row still reaches the watcher", async () => {
    const { pilotId, publicKey } = await createPilot();
    const live = await liveSocket(pilotId);
    const { socket, conversationId } = await visit(publicKey);
    await eventually(
      async () => socket.frames.some((f) => f.type === 'welcome'),
      Boolean,
      'the welcome frame',
    );
    // Other conversations use up the pilot's push budget.
    const stub = pilotStub(pilotId);
    const now = Date.now();
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, n) =>
        stub.pushLive(row(`conv_flood_${pilotId}_${n}`, now)),
      ),
    );
    expect(answers.filter((a) => !a).length).toBeGreaterThan(0);
    socket.send({ type: 'message', text: 'is anyone there?' });
    await said(socket, 'Fallback answer.');
    // The row arrives all the same, words included: pushed once the budget has refilled, or in
    // the queue's batch (the visitor's reply waited for neither).
    await eventually(
      async () =>
        live.frames.flatMap((f) =>
          f.type === 'changes'
            ? (f.items ?? []).filter(
                (r) => r.conversationId === conversationId && r.lastMessage === 'Fallback answer.',
              )
            : [],
        ),
      (rows) => rows.length > 0,
      "the visitor's row on the live socket",
    );
    socket.close();
    live.ws.close();
  });
});
