/**
 * The pool the unpublish request and the cancel alarm use to cancel a batch of conversations
 * (worker/pilot/settle-pool.ts): at most `limit` calls at once, and one that takes longer than
 * the timeout is reported, not waited for. Before, the batch called its 50 conversations one
 * after another, each waiting for that conversation's turn chain.
 */
import { describe, expect, it } from 'vitest';
import {
  CANCEL_BATCH_DELAY_MS,
  MAX_RETRY_DELAY_MS,
  retryDelay,
} from '../../worker/pilot/cancel-flow-runs.ts';
import { settlePool } from '../../worker/pilot/settle-pool.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('settlePool', () => {
  it('runs at most `limit` tasks at once and answers every outcome in order', async () => {
    let running = 0;
    let most = 0;
    const out = await settlePool(
      Array.from({ length: 50 }, (_, n) => n),
      10,
      async (n) => {
        running++;
        most = Math.max(most, running);
        await sleep(5);
        running--;
        if (n === 7) throw new Error('gone');
        return n * 2;
      },
    );
    expect(most).toBe(10);
    expect(out).toHaveLength(50);
    expect(out[3]).toEqual({ ok: true, value: 6 });
    expect(out[7]).toMatchObject({ ok: false, timedOut: false });
  });

  it('reports a task past the timeout without waiting for it, so a slow one cannot hold the batch', async () => {
    const started = Date.now();
    const out = await settlePool(
      [10, 5_000, 10],
      10,
      async (ms) => {
        await sleep(ms);
        return ms;
      },
      100,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]).toMatchObject({ ok: false, timedOut: true });
  });
});

describe('cancel job retry delay', () => {
  it('backs off from the batch pause and never past its bound', () => {
    expect(retryDelay(0)).toBe(CANCEL_BATCH_DELAY_MS);
    expect(retryDelay(1)).toBeGreaterThan(CANCEL_BATCH_DELAY_MS);
    expect(retryDelay(3)).toBeGreaterThan(retryDelay(2));
    expect(retryDelay(1_000)).toBe(MAX_RETRY_DELAY_MS);
  });
});
