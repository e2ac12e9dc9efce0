import { TimeoutError, withTimeout } from '../../shared/knowledge/timeout.ts';

/**
 * Runs `task` over `items` with at most `limit` at once, each given at most `timeoutMs`
 * (none when undefined). Answers each item's outcome in order: its value, or 'timeout' when
 * it took longer (the task itself goes on; nothing here can stop a Durable Object call).
 * Pure of I/O, so the bound is tested directly (test/shared/settle-pool.test.ts).
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error?: unknown };

export async function settlePool<I, T>(
  items: readonly I[],
  limit: number,
  task: (item: I) => Promise<T>,
  timeoutMs?: number,
): Promise<Settled<T>[]> {
  const out: Settled<T>[] = new Array(items.length);
  let next = 0;
  const one = (item: I): Promise<Settled<T>> =>
    (timeoutMs === undefined ? task(item) : withTimeout(task(item), timeoutMs, 'task')).then(
      (value): Settled<T> => ({ ok: true, value }),
      (error): Settled<T> =>
        error instanceof TimeoutError
          ? { ok: false, timedOut: true }
          : { ok: false, timedOut: false, error },
    );
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await one(items[index] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
