import { describe, expect, inject, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import { admin, createPilot, ok, publishFlow, type Session, session } from './helpers.ts';

const target = inject('faultTarget');
const port = new URL(target).port;

/**
 * Every way to write "this machine" or a private network in a webhook URL. The loopback ones
 * point at a real server listening on this machine: in production mode it must see nothing.
 */
const FORMS = [
  `http://127.0.0.1:${port}`,
  `http://127.0.0.1.:${port}`,
  `http://127.1:${port}`,
  `http://2130706433:${port}`,
  `http://0x7f000001:${port}`,
  `http://0x7f.0.0.1:${port}`,
  `http://0177.0.0.1:${port}`,
  `http://[::1]:${port}`,
  `http://[0:0:0:0:0:0:0:1]:${port}`,
  `http://[::ffff:127.0.0.1]:${port}`,
  `http://[::ffff:7f00:1]:${port}`,
  `http://0.0.0.0:${port}`,
  `http://0:${port}`,
  `http://[::]:${port}`,
  `http://localhost:${port}`,
  `http://LocalHost.:${port}`,
  `http://hooks.localhost:${port}`,
  'http://10.0.0.1',
  'http://169.254.169.254',
  'http://0xa9fea9fe',
  'http://2852039166',
  'http://[::ffff:a9fe:a9fe]',
  'http://192.168.1.1',
  'http://172.16.0.1',
  // Public names that resolve to loopback or embed a private address (wildcard DNS services).
  `http://127.0.0.1.nip.io:${port}`,
  `http://127-0-0-1.sslip.io:${port}`,
  `http://7f000001.nip.io:${port}`,
  `http://localtest.me:${port}`,
  `http://hooks.lvh.me:${port}`,
  'http://169.254.169.254.nip.io/latest/meta-data',
  // IPv6 forms that carry an IPv4 address inside: 6to4, Teredo, NAT64, SIIT, IPv4-compatible.
  `http://[2002:7f00:1::]:${port}`,
  `http://[2002:a9fe:a9fe::]`,
  `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${port}`,
  `http://[64:ff9b::7f00:1]:${port}`,
  `http://[64:ff9b:1::a00:1]`,
  `http://[::ffff:0:7f00:1]:${port}`,
  `http://[::7f00:1]:${port}`,
];

interface Step {
  nodeId: string;
  error: string | null;
}

/** The error the `call` step of the run in `conversationId` ended with (from the run log). */
async function callError(flowId: string, conversationId: string): Promise<string | null> {
  for (let tries = 0; tries < 200; tries++) {
    const page = await ok<{ items: { id: string }[] }>(
      await admin(`/flows/${flowId}/enrollments?q=${conversationId}`),
    );
    const run = page.items[0];
    if (run) {
      const detail = await ok<{ steps: Step[] }>(await admin(`/enrollments/${run.id}`));
      const call = detail.steps.find((step) => step.nodeId === 'call' && step.error !== null);
      if (call) return call.error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

describe('SSRF outside local development', () => {
  it('refuses webhooks to loopback, unspecified, private and metadata addresses in every spelling', async () => {
    const pilot = await createPilot();
    const flowId = await publishFlow(pilot.id, {
      name: 'Webhook to anywhere',
      trigger: { type: 'event', name: 'go' },
      start: 'call',
      nodes: [
        {
          id: 'call',
          type: 'http_request',
          method: 'GET',
          url: '{{event.url}}',
          timeoutMs: 1000,
          next: 'ok',
          onError: 'bad',
        },
        { id: 'ok', type: 'send_message', text: 'Webhook reached' },
        { id: 'bad', type: 'send_message', text: 'Webhook refused' },
      ],
    });
    const tag = crypto.randomUUID();
    const outcomes: [string, string][] = [];
    for (const form of FORMS) {
      const visitor = await ok<Session>(await session(pilot.publicKey, {}));
      const socket = await openSocket(visitor.conversationId, visitor.token);
      socket.send({ type: 'event', name: 'go', props: { url: `${form}/ok?tag=${tag}` } });
      const said = await socket.waitForMessages(
        (m) => m.some((x) => x.author === 'pilot'),
        `the outcome for ${form}`,
        10_000,
      );
      expect(
        said.map((m) => m.text),
        form,
      ).toEqual(['Webhook refused']);
      socket.close();
      outcomes.push([form, visitor.conversationId]);
    }
    // Refused by the guard itself (its `blocked_url` error naming the address class), not merely
    // unreachable: a private address nothing listens on would fail here with a network error.
    for (const [form, conversationId] of outcomes) {
      const error = await callError(flowId, conversationId);
      expect(error, form).toMatch(/^blocked_url: /);
      expect(error, form).not.toMatch(/could not resolve/);
    }
    const seen = await (await fetch(`${target}/_log?tag=${tag}`)).json();
    expect(seen).toEqual([]);
  });
});
