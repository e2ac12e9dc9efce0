/**
 * Retention (issue 18): a pilot's `retentionDays` makes the scheduled Worker erase its idle
 * conversations through the privacy erasure; newer ones and pilots without the setting keep
 * theirs. Time passing is simulated by ageing the conversation index rows the job reads.
 */
import { createScheduledController, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index.ts';
import { call } from '../helpers/admin.ts';
import { dumpObject, scanD1 } from './privacy-scan.ts';
import { createPilot, eventually, json, publishFlow, said, visit } from './runtime-helpers.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

async function chatted(publicKey: string, text: string) {
  const visitor = await visit(publicKey);
  visitor.socket.send({ type: 'message', text });
  await said(visitor.socket, 'Fallback answer.');
  await eventually(
    () =>
      env.DB.prepare('SELECT id FROM conversations WHERE id = ?')
        .bind(visitor.conversationId)
        .first(),
    (row) => row !== null,
    'the conversation indexed',
  );
  return visitor;
}

/** Moves the conversation's last activity `days` into the past. */
async function age(conversationId: string, days: number) {
  await env.DB.prepare(
    'UPDATE conversations SET updated_at = updated_at - ?, last_message_at = last_message_at - ? WHERE id = ?',
  )
    .bind(days * DAY_MS, days * DAY_MS, conversationId)
    .run();
}

const stubOf = (id: string) => env.CONVERSATION.get(env.CONVERSATION.idFromName(id));

describe('retention', () => {
  it('is off by default and documented as a pilot setting', async () => {
    const { pilotId } = await createPilot();
    const pilot = await json<{ retentionDays: number | null }>(
      await call(`/v1/admin/pilots/${pilotId}`),
    );
    expect(pilot.retentionDays).toBeNull();
    const refused = await call(`/v1/admin/pilots/${pilotId}`, {
      method: 'PATCH',
      body: JSON.stringify({ retentionDays: 0 }),
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('retentionDays');
  });

  it('erases a conversation idle past the limit on the scheduled run and keeps a newer one and other pilots’ old ones', async () => {
    const limited = await createPilot({ retentionDays: 30 });
    const unlimited = await createPilot();
    const oldText = `old-${crypto.randomUUID()}`;
    const newText = `new-${crypto.randomUUID()}`;
    const keptText = `kept-${crypto.randomUUID()}`;
    const old = await chatted(limited.publicKey, oldText);
    const recent = await chatted(limited.publicKey, newText);
    const other = await chatted(unlimited.publicKey, keptText);
    for (const v of [old, recent, other]) v.socket.close();
    await age(old.conversationId, 31);
    await age(recent.conversationId, 29);
    await age(other.conversationId, 400);

    // The Worker's own cron handler, as the runtime calls it (it awaits the whole run).
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env);

    expect(await scanD1([old.conversationId, oldText])).toEqual([]);
    // Erased: no tables left at all (the object makes them again on its next write).
    expect((await dumpObject(stubOf(old.conversationId))).counts).toEqual({});
    expect((await stubOf(recent.conversationId).transcript()).map((m) => m.text)).toContain(
      newText,
    );
    expect((await stubOf(other.conversationId).transcript()).map((m) => m.text)).toContain(
      keptText,
    );
    expect((await scanD1([recent.conversationId])).length).toBeGreaterThan(0);
  });

  it('keeps the flow’s insights counts, with nothing left that names the conversation', async () => {
    const pilot = await createPilot({ retentionDays: 30 });
    const { flowId } = await publishFlow(pilot.pilotId, {
      name: 'Counted',
      trigger: { type: 'event', name: 'go' },
      start: 'q',
      nodes: [
        {
          id: 'q',
          type: 'ask_question',
          text: 'Pick one',
          input: { kind: 'buttons', options: [{ label: 'Yes', value: 'yes', next: 'bye' }] },
        },
        { id: 'bye', type: 'send_message', text: 'Bye' },
      ],
    });
    const visitor = await visit(pilot.publicKey);
    visitor.socket.send({ type: 'event', name: 'go' });
    await said(visitor.socket, 'Pick one');
    visitor.socket.send({ type: 'message', text: 'Yes' });
    await said(visitor.socket, 'Bye');
    visitor.socket.close();
    const insights = async () =>
      json<{
        totals: { triggered: number; completed: number };
        nodes: { nodeId: string; entered: number }[];
        choices: { nodeId: string; choice: string; count: number }[];
      }>(await call(`/v1/admin/flows/${flowId}/insights`));
    const before = await eventually(
      insights,
      (i) => i.totals.completed === 1 && i.nodes.length === 2,
      'the run counted',
    );
    await eventually(
      () =>
        env.DB.prepare('SELECT id FROM conversations WHERE id = ?')
          .bind(visitor.conversationId)
          .first(),
      (row) => row !== null,
      'the conversation indexed',
    );
    await age(visitor.conversationId, 31);

    await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), env);

    expect(await scanD1([visitor.conversationId, visitor.visitorId])).toEqual([]);
    expect(await insights()).toEqual(before);
  });
});
