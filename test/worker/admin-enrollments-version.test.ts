/** The enrollment log's `version` filter (the console's version field sends it). */
import { describe, expect, inject, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, republish } from './runtime-helpers.ts';
import { survey, surveyed } from './runtime-survey.ts';

const target = inject('httpTarget');

interface Page {
  items: { conversationId: string; version: number }[];
}
const list = async (flowId: string, query = '') =>
  json<Page>(await call(`/v1/admin/flows/${flowId}/enrollments${query}`));

describe('enrollment logs by version', () => {
  it('lists only the runs of the asked version, and names an invalid version', async () => {
    const { pilotId, publicKey } = await createPilot();
    const flow = survey(`${target}/order`);
    const { flowId } = await publishFlow(pilotId, flow);
    const first = await surveyed(publicKey);
    await republish(flowId, pilotId, flow);
    const second = await surveyed(publicKey);
    await eventually(
      () => list(flowId),
      (page) => page.items.length === 2,
      'both runs in the log',
    );
    const v1 = await list(flowId, '?version=1');
    expect(v1.items.map((i) => [i.conversationId, i.version])).toEqual([[first.conversationId, 1]]);
    const v2 = await list(flowId, '?version=2');
    expect(v2.items.map((i) => [i.conversationId, i.version])).toEqual([
      [second.conversationId, 2],
    ]);
    expect((await list(flowId, '?version=3')).items).toEqual([]);
    const bad = await call(`/v1/admin/flows/${flowId}/enrollments?version=0`);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues.map((i) => i.path)).toContain('query.version');
    first.socket.close();
    second.socket.close();
  });
});
