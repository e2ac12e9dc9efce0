/**
 * Insights for the console's chart and canvas (issue 14): traffic per connection and dropped
 * runs per node from the recorded steps, and the counts per hour or day of a bounded range.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BUCKET_MS, MAX_BUCKETS } from '../../shared/insights/timeline.ts';
import { DROPPED_AFTER_MS } from '../../worker/routes/admin/insights.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, said } from './runtime-helpers.ts';
import { choose, survey, surveyed } from './runtime-survey.ts';

interface Insights {
  totals: Record<string, number>;
  nodes: { nodeId: string; entered: number; dropped: number }[];
  edges: { nodeId: string; port: string; runs: number }[];
}
interface Timeline {
  from: number;
  to: number;
  bucket: 'hour' | 'day';
  buckets: ({ start: number } & Record<string, number>)[];
}

const get = async <T>(path: string) => json<T>(await call(`/v1/admin${path}`));

async function refused(path: string) {
  const response = await call(`/v1/admin${path}`);
  const body = (await response.json()) as { error: { code: string; issues?: { path: string }[] } };
  return {
    status: response.status,
    code: body.error.code,
    paths: body.error.issues?.map((i) => i.path),
  };
}

describe('insights per connection and over time', () => {
  it('counts the runs that took each connection, the runs dropped at each node, and the runs per hour and per day', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, survey('http://10.0.0.1/hook'));
    const start = Date.now();
    const happy = await surveyed(publicKey);
    choose(happy, 'yes');
    await said(happy.socket, 'Thanks, yes!');
    const unhappy = await surveyed(publicKey);
    choose(unhappy, 'no');
    const silent = await surveyed(publicKey);

    const result = await eventually(
      () => get<Insights>(`/flows/${flowId}/insights`),
      (i) => i.totals.triggered === 3 && i.totals.failed === 1 && i.totals.completed === 1,
      'three runs in the log',
    );
    const runs = (nodeId: string, port: string) =>
      result.edges.find((e) => e.nodeId === nodeId && e.port === port)?.runs;
    // Ports as the engine records them: a button option by its value.
    expect(runs('q', 'option:yes')).toBe(1);
    expect(runs('q', 'option:no')).toBe(1);
    // The failed webhook left by no port, and the silent visitor never left the question.
    expect(result.edges.some((e) => e.nodeId === 'call')).toBe(false);
    expect(result.edges.filter((e) => e.nodeId === 'q').length).toBe(2);

    // The silent run becomes dropped once idle long enough (the log's clock moved back).
    await env.DB.prepare(
      'UPDATE enrollments SET updated_at = updated_at - ? WHERE conversation_id = ?',
    )
      .bind(DROPPED_AFTER_MS + 1000, silent.conversationId)
      .run();
    const later = await get<Insights>(`/flows/${flowId}/insights`);
    expect(later.nodes.find((n) => n.nodeId === 'q')?.dropped).toBe(1);
    expect(later.nodes.find((n) => n.nodeId === 'thanks')?.dropped).toBe(0);

    // Three hours by the hour: every bucket there, the runs in the one they were triggered in.
    const from = start - 2 * BUCKET_MS.hour;
    const to = start + BUCKET_MS.hour;
    const hourly = await get<Timeline>(`/flows/${flowId}/insights/timeline?from=${from}&to=${to}`);
    expect(hourly.bucket).toBe('hour');
    expect(hourly.buckets.map((b) => b.start)).toEqual([
      from,
      from + BUCKET_MS.hour,
      from + 2 * BUCKET_MS.hour,
    ]);
    expect(hourly.buckets.map((b) => b.triggered)).toEqual([0, 0, 3]);
    expect(hourly.buckets[2]).toMatchObject({
      triggered: 3,
      started: 2,
      completed: 1,
      dropped: 1,
      failed: 1,
      handedOver: 0,
    });
    // By default: the 30 days before now, by the day, today's bucket last.
    const daily = await get<Timeline>(`/flows/${flowId}/insights/timeline`);
    expect(daily.bucket).toBe('day');
    expect(daily.buckets.length).toBe(30);
    expect(daily.buckets.at(-1)?.triggered).toBe(3);
    const other = await get<Timeline>(`/flows/${flowId}/insights/timeline?version=2&bucket=day`);
    expect(other.buckets.every((b) => b.triggered === 0)).toBe(true);
    for (const v of [happy, unhappy, silent]) v.socket.close();
  });

  it('refuses a reversed range, more buckets than allowed, an unknown bucket and unknown parameters, naming the field', async () => {
    const { pilotId } = await createPilot();
    const { flowId } = await publishFlow(pilotId, survey('http://10.0.0.1/hook'));
    const path = `/flows/${flowId}/insights/timeline`;
    const now = Date.now();
    expect(await refused(`${path}?from=${now}&to=${now}`)).toEqual({
      status: 400,
      code: 'invalid_input',
      paths: ['query.to'],
    });
    // One bucket too many, by the hour and by the day.
    const hours = MAX_BUCKETS * BUCKET_MS.hour;
    expect(await refused(`${path}?from=${now - hours - 1}&to=${now}&bucket=hour`)).toMatchObject({
      status: 400,
      paths: ['query.from'],
    });
    expect((await call(`/v1/admin${path}?from=${now - hours}&to=${now}&bucket=hour`)).status).toBe(
      200,
    );
    expect(await refused(`${path}?from=0&to=${now}`)).toMatchObject({
      status: 400,
      paths: ['query.from'],
    });
    expect(await refused(`${path}?bucket=week`)).toMatchObject({
      status: 400,
      paths: ['query.bucket'],
    });
    expect(await refused(`${path}?buckets=9`)).toMatchObject({
      status: 400,
      paths: ['query.buckets'],
    });
    expect(await refused(`/flows/flow_missing/insights/timeline`)).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
});
