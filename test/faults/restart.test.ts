import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { snapshotTree, startProductServer } from '../../bench/lib/product-server.mjs';
import { answersPerMessage, FaultVisitor, startSession } from './visitor.ts';
import { startFaultTarget } from './workers/fault-target.ts';

interface Server {
  base: string;
  port: number;
  adminKey: string;
  stop(): Promise<void>;
}

// A wrangler dev of its own (the shared one must not restart under the other files' tests),
// stopped and started again on the same port and the same --persist-to directory.
let tree: string;
let persistTo: string;
let server: Server;
const target = startFaultTarget();

beforeAll(async () => {
  tree = snapshotTree();
  persistTo = mkdtempSync(join(tmpdir(), 'edgepilot-faults-restart-'));
  server = await startProductServer({ tree, persistTo });
});

afterAll(async () => {
  await server?.stop();
  await target.stop();
  rmSync(tree, { recursive: true, force: true });
  rmSync(persistTo, { recursive: true, force: true });
});

async function restart() {
  await server.stop();
  server = await startProductServer({ tree, persistTo, port: server.port });
}

async function admin(path: string, body: unknown): Promise<{ id: string; publicKey: string }> {
  const response = await fetch(`${server.base}/v1/admin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const answered = (visitor: FaultVisitor) =>
  answersPerMessage(visitor.transcript()).filter((m) => m.answers > 0).length;

describe('wrangler dev restarted with persisted state', () => {
  it('continues a conversation restarted mid-turn with every message stored and answered once', async () => {
    const session = await startSession(server.base);
    const visitor = new FaultVisitor(server.base, session);
    await visitor.connect();
    const ask = async (i: number) => {
      visitor.send({ type: 'message', text: `restart ${i}` });
      await visitor.until(() => answered(visitor) > i, `the answer to "restart ${i}"`, 120_000);
    };
    for (let i = 0; i < 3; i++) await ask(i);
    // Mid-turn: the frame may or may not have been committed when the process dies.
    visitor.send({ type: 'message', text: 'restart 3' });
    await restart();
    await visitor.until(() => answered(visitor) > 3, 'the answer to "restart 3"', 120_000);
    for (let i = 4; i < 6; i++) await ask(i);
    await visitor.until(() => visitor.unacknowledged === 0, 'every frame acknowledged');
    const transcript = visitor.transcript();
    expect(transcript.map((m) => m.seq)).toEqual(transcript.map((_, i) => i + 1));
    expect(answersPerMessage(transcript)).toEqual(
      Array.from({ length: 6 }, (_, i) => ({ text: `restart ${i}`, answers: 1 })),
    );
    visitor.close();
  });

  it('never sends a POST webhook twice when the server restarts while the target is answering', async () => {
    const origin = await target.listening;
    const tag = crypto.randomUUID();
    const pilot = await admin('/pilots', {
      name: 'Restart webhook',
      trustedDomains: ['localhost'],
      fallbackMessage: 'Fallback.',
    });
    const flow = await admin('/flows', {
      schemaVersion: 1,
      pilotId: pilot.id,
      name: 'Slow webhook',
      trigger: { type: 'event', name: 'go' },
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http_request',
          method: 'POST',
          url: `${origin}/slow?ms=8000&tag=${tag}`,
          body: { order: 'A-1' },
          timeoutMs: 10000,
          next: 'ok',
          onError: 'bad',
        },
        { id: 'ok', type: 'send_message', text: 'Webhook OK' },
        { id: 'bad', type: 'send_message', text: 'Webhook failed' },
      ],
    });
    await admin(`/flows/${flow.id}/publish`, {});
    const seen = async (): Promise<unknown[]> => (await fetch(`${origin}/_log?tag=${tag}`)).json();
    const visitor = new FaultVisitor(server.base, await startSession(server.base, pilot.publicKey));
    await visitor.connect();
    visitor.send({ type: 'event', name: 'go' });
    const deadline = Date.now() + 30_000;
    while ((await seen()).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await seen()).toHaveLength(1);
    await restart();
    await visitor.until(
      () => visitor.transcript().some((m) => m.author === 'pilot'),
      'the webhook outcome',
      120_000,
    );
    expect(visitor.transcript().map((m) => m.text)).toEqual(['Webhook failed']);
    expect(await seen()).toHaveLength(1);
    visitor.close();
  });
});
