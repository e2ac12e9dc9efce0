/**
 * The unpublish cancel job (worker/pilot/cancel-flow-runs.ts) when a batch throws. The failure
 * is a real storage fault of the pilot object: its `live` table (the live view a batch reads)
 * is renamed away for the moment, so the real SQLite query fails. Before: a first batch that
 * threw left the job without an alarm (and the unpublish request answered 500), and a throwing
 * alarm threw (burning the platform's retries) while the failing job stayed first in line.
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CANCEL_BATCH_DELAY_MS, MAX_JOB_FAILURES } from '../../worker/pilot/cancel-flow-runs.ts';

function pilotObject(name: string) {
  const pilot = env.PILOT.get(env.PILOT.idFromName(`${name}-${Date.now()}`));
  const sql = (query: string) =>
    runInDurableObject(pilot, (_i, state) => {
      state.storage.sql.exec(query);
    });
  return {
    pilot,
    /** The storage fault: the live view's table is gone until `heal`. */
    break: () => sql('ALTER TABLE live RENAME TO live_away'),
    heal: () => sql('ALTER TABLE live_away RENAME TO live'),
    jobs: () =>
      runInDurableObject(pilot, (_i, state) =>
        state.storage.sql
          .exec<{ flow_id: string; failures: number }>(
            'SELECT flow_id, failures FROM cancel_jobs ORDER BY started_at, flow_id',
          )
          .toArray()
          .map((j) => ({ flow: j.flow_id, failures: j.failures })),
      ),
    /** When the next alarm is due (null: none), removing it so the test runs alarms itself. */
    takeAlarm: () =>
      runInDurableObject(pilot, async (_i, state) => {
        const at = await state.storage.getAlarm();
        await state.storage.deleteAlarm();
        return at;
      }),
    alarm: () => runInDurableObject(pilot, (instance) => instance.alarm()),
  };
}

describe('a cancel job whose batch throws', () => {
  it("the request's first batch failing still leaves the job with an alarm, and answers it as pending", async () => {
    const o = pilotObject('cancel-first-fails');
    await o.break();
    const progress = await runInDurableObject(o.pilot, (instance) =>
      instance.cancelFlowRuns('flow_first_fails', 'unpublished'),
    );
    expect(progress).toEqual({ cancelled: 0, pending: true });
    expect(await o.takeAlarm()).not.toBeNull();
    expect(await o.jobs()).toEqual([{ flow: 'flow_first_fails', failures: 0 }]);
    // Storage back: the alarm finishes the job (the flow has no runs).
    await o.heal();
    await o.alarm();
    expect(await o.jobs()).toEqual([]);
  });

  it('an alarm batch failing is logged not thrown, backs off, moves the job behind the others, and drops it after its last try', async () => {
    const o = pilotObject('cancel-alarm-fails');
    await runInDurableObject(o.pilot, (instance) =>
      Promise.all([
        instance.cancelFlowRuns('flow_a', 'unpublished'),
        instance.cancelFlowRuns('flow_b', 'unpublished'),
      ]),
    );
    // Both first batches ended their jobs (no runs); start two jobs that stay, oldest first.
    await runInDurableObject(o.pilot, (_i, state) => {
      state.storage.sql.exec(
        `INSERT INTO cancel_jobs (flow_id, reason, after, generation, started_at, failures)
         VALUES ('flow_a', 'unpublished', '', 1, 1, 0), ('flow_b', 'unpublished', '', 1, 2, 0)`,
      );
    });
    await o.takeAlarm();
    await o.break();
    const before = Date.now();
    await o.alarm(); // does not throw
    expect(await o.jobs()).toEqual([
      { flow: 'flow_b', failures: 0 },
      { flow: 'flow_a', failures: 1 },
    ]);
    expect(((await o.takeAlarm()) ?? 0) - before).toBeGreaterThan(CANCEL_BATCH_DELAY_MS);
    // Storage back: the other job runs next instead of waiting behind the failing one.
    await o.heal();
    await o.alarm();
    await o.takeAlarm();
    expect(await o.jobs()).toEqual([{ flow: 'flow_a', failures: 1 }]);
    // Failing for good: dropped after MAX_JOB_FAILURES alarms, then no alarm is asked for.
    await o.break();
    for (let n = 2; n <= MAX_JOB_FAILURES; n++) {
      await o.alarm();
      if (n < MAX_JOB_FAILURES) expect(await o.takeAlarm()).not.toBeNull();
    }
    expect(await o.jobs()).toEqual([]);
    expect(await o.takeAlarm()).toBeNull();
    await o.heal();
  });
});
