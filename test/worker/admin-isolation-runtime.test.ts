/**
 * Auth and workspace isolation for the runtime's admin routes (conversations, enrollment logs,
 * insights, live view, presence): keys are checked before anything else, and a real
 * conversation with a running flow in one workspace is invisible to another workspace's key,
 * which gets 404 and changes nothing.
 */
import { describe, expect, inject, it } from 'vitest';
import { call } from '../helpers/admin.ts';
import { fixture, runtimeCases } from './admin-catalog.ts';
import { request, workspace } from './admin-fixtures.ts';
import { createPilot, eventually, json, publishFlow } from './runtime-helpers.ts';
import { survey, surveyed } from './runtime-survey.ts';

const target = inject('httpTarget');

interface Enrollment {
  id: string;
  status: string;
}

describe('the runtime routes across workspaces', () => {
  it('refuse a missing or wrong key with 401 and changes with a read-only key with 403', async () => {
    const fx = await fixture();
    for (const c of runtimeCases(fx)) {
      for (const key of [null, 'ep_not_a_real_key']) {
        const res = await request(c.path, { method: c.method, body: c.body }, key);
        expect(`${c.route} -> ${res.status}`).toBe(`${c.route} -> 401`);
        await res.body?.cancel();
      }
      if (!c.writes) continue;
      const res = await fx.ws.call(c.path, { method: c.method, body: c.body, key: fx.ws.readKey });
      expect(`${c.route} -> ${res.status}`).toBe(`${c.route} -> 403`);
      await res.body?.cancel();
    }
  });

  it("answer 404 to another workspace's key for a live conversation, its runs and its pilot, and change nothing", async () => {
    // The owner: the bootstrap key's workspace, with a visitor waiting on a survey question.
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, survey(`${target}/order`));
    const visitor = await surveyed(publicKey);
    const runs = await eventually(
      async () =>
        (await json<{ items: Enrollment[] }>(await call(`/v1/admin/flows/${flowId}/enrollments`)))
          .items,
      (items) => items.some((i) => i.status === 'waiting'),
      'the waiting run in the enrollment log',
    );
    const runId = runs[0]!.id;
    const user = await json<{ id: string }>(
      await call('/v1/admin/users', {
        method: 'POST',
        body: JSON.stringify({ name: 'Owner agent', email: `${crypto.randomUUID()}@example.com` }),
      }),
    );
    const conv = visitor.conversationId;

    const other = await workspace();
    const attempts: [string, string, unknown?][] = [
      ['GET', `/conversations/${conv}`],
      ['POST', `/conversations/${conv}/messages`, { text: 'Not yours' }],
      ['POST', `/conversations/${conv}/release`],
      ['POST', `/conversations/${conv}/close`],
      ['GET', `/flows/${flowId}/enrollments`],
      ['GET', `/enrollments/${runId}`],
      ['POST', `/enrollments/${runId}/unenroll`],
      ['POST', `/enrollments/${runId}/retry`],
      ['GET', `/flows/${flowId}/insights`],
      ['GET', `/flows/${flowId}/insights/timeline`],
      ['GET', `/live?pilotId=${pilotId}`],
      ['PUT', `/users/${user.id}/presence`, { status: 'online' }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await other.json<{ error: { code: string } }>(path, { method, body });
      expect(`${method} ${path} -> ${res.status}`).toBe(`${method} ${path} -> 404`);
      expect(res.body.error.code).toBe('not_found');
    }
    const socket = await other.call(`/live/socket?pilotId=${pilotId}`, {
      headers: { upgrade: 'websocket' },
    });
    expect(socket.status).toBe(404);
    const list = await other.call('/conversations');
    expect(await list.text()).not.toContain(conv);

    // Nothing moved: the conversation is open, its run still waits, no agent message arrived.
    const detail = await json<{ status: string; messages: { author: string }[] }>(
      await call(`/v1/admin/conversations/${conv}`),
    );
    expect(detail.status).toBe('open');
    expect(detail.messages.some((m) => m.author === 'agent')).toBe(false);
    const run = await json<{ status: string }>(await call(`/v1/admin/enrollments/${runId}`));
    expect(run.status).toBe('waiting');
    visitor.socket.close();
  });
});
