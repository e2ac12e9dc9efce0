/**
 * Bounds end to end (issue 12 items 1 and 2): a flow that doubles a value at every node, run
 * by a read-only key's simulate or by a visitor's event, fails its run with value_too_large in
 * well under a second; the visitor is answered (error frame + fallback) and the conversation
 * keeps working; the failed run is in the enrollment log with its error.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SIMULATE_RESPONSE_CHARS } from '../../shared/engine/limits.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, said, visit } from './runtime-helpers.ts';

/** 30 set_variable nodes in a row, each applying `assignment` to variable.s (as reported). */
function chain(assignment: { op: 'set' | 'append'; value: string }) {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `n${i}`,
    type: 'set_variable' as const,
    assignments: [{ target: 'variable.s', ...assignment }],
    ...(i < 29 ? { next: `n${i + 1}` } : {}),
  }));
}

const doubling = {
  name: 'Doubling',
  trigger: { type: 'event' as const, name: 'grow' },
  variables: [{ name: 's', type: 'text' as const, default: 'ab' }],
  start: 'n0',
  nodes: chain({ op: 'set', value: '{{variable.s}}{{variable.s}}' }),
};

async function readKey(): Promise<string> {
  const created = await json<{ key: string }>(
    await call('/v1/admin/api-keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'bounds reader', scopes: ['read'] }),
    }),
  );
  return created.key;
}

async function createDraft(pilotId: string, flow: Record<string, unknown>): Promise<string> {
  const created = await json<{ id: string }>(
    await call('/v1/admin/flows', {
      method: 'POST',
      body: JSON.stringify({ schemaVersion: 1, pilotId, ...flow }),
    }),
  );
  return created.id;
}

interface SimulateBody {
  status: string;
  errors: { code: string; nodeId?: string }[];
}

async function simulate(flowId: string, key: string, name: string) {
  const started = Date.now();
  const response = await call(`/v1/admin/flows/${flowId}/simulate`, {
    method: 'POST',
    key,
    body: JSON.stringify({ events: [{ type: 'event', name }] }),
  });
  const text = await response.text();
  return { status: response.status, text, ms: Date.now() - started };
}

describe('simulate under the bounds', () => {
  it('answers a read key simulating the 30-node doubling chain with a failed run, at once', async () => {
    const { pilotId } = await createPilot();
    const flowId = await createDraft(pilotId, doubling);
    const result = await simulate(flowId, await readKey(), 'grow');
    expect(result.status).toBe(200);
    const body = JSON.parse(result.text) as SimulateBody;
    expect(body.status).toBe('failed');
    expect(body.errors.map((e) => [e.code, e.nodeId])).toEqual([['value_too_large', 'n14']]);
    expect(result.text.length).toBeLessThan(MAX_SIMULATE_RESPONSE_CHARS);
    expect(result.ms).toBeLessThan(2_000);
  });

  it('runs a draft with a self-appending cycle (a validation error) under the same bounds', async () => {
    const { pilotId } = await createPilot();
    const flowId = await createDraft(pilotId, {
      name: 'Self append',
      trigger: { type: 'event', name: 'loop' },
      variables: [{ name: 's', type: 'list', default: ['ab'] }],
      start: 'loop',
      nodes: [
        {
          id: 'loop',
          type: 'set_variable',
          assignments: [{ target: 'variable.s', op: 'append', value: '{{variable.s}}' }],
          next: 'loop',
        },
      ],
    });
    const validation = await json<{ ok: boolean }>(
      await call(`/v1/admin/flows/${flowId}/validate`, { method: 'POST' }),
    );
    expect(validation.ok).toBe(false);
    const result = await simulate(flowId, await readKey(), 'loop');
    expect(result.status).toBe(200);
    const body = JSON.parse(result.text) as SimulateBody;
    expect(body.errors.map((e) => e.code)).toEqual(['value_too_large']);
    expect(result.ms).toBeLessThan(2_000);
  });
});

describe('a visitor triggers the doubling flow', () => {
  it('gets an error frame and the fallback, the conversation goes on, and the log shows the failure', async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, doubling);
    const { socket } = await visit(publicKey);
    const id = crypto.randomUUID();
    const started = Date.now();
    socket.send({ id, type: 'event', name: 'grow' });
    await said(socket, 'Fallback answer.');
    const acks = () => socket.frames.filter((f) => f.type === 'ack' && f.id === id).length;
    // The ack is the turn's last frame: the error frame came before it.
    await eventually(
      async () => acks(),
      (n) => n === 1,
      'the ack of the event frame',
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    const errorFrame = socket.frames.find((f) => f.type === 'error');
    expect(errorFrame).toMatchObject({ code: 'internal_error', id });
    expect(errorFrame?.type === 'error' && errorFrame.message).toContain('value_too_large');

    // The same frame again (a reconnecting widget): acknowledged, not run a second time.
    socket.send({ id, type: 'event', name: 'grow' });
    await eventually(
      async () => acks(),
      (n) => n === 2,
      'the second ack of the resent frame',
    );

    // A plain message later still gets an answer.
    socket.send({ type: 'message', text: 'anyone there?' });
    await socket.waitForMessages(
      (messages) => messages.filter((m) => m.text === 'Fallback answer.').length === 2,
      'the fallback answer to a later message',
    );
    expect(
      socket
        .messages()
        .map((m) => [m.author, m.text])
        .slice(-3),
    ).toEqual([
      ['pilot', 'Fallback answer.'],
      ['visitor', 'anyone there?'],
      ['pilot', 'Fallback answer.'],
    ]);

    const [run] = await eventually(
      async () =>
        (
          await json<{ items: { id: string; status: string; error: string | null }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (items) => items.length === 1 && items[0]?.status === 'failed',
      'the failed run in the enrollment log',
    );
    expect(run).toMatchObject({ status: 'failed', error: 'value_too_large' });
    const detail = await json<{
      steps: { nodeId: string; status: string; error: string | null }[];
    }>(await call(`/v1/admin/enrollments/${run?.id}`));
    expect(detail.steps.at(-1)).toMatchObject({
      nodeId: 'n14',
      status: 'failed',
      error: 'value_too_large',
    });
    expect(detail.steps.filter((s) => s.status === 'completed')).toHaveLength(14);
    socket.close();
  });
});
