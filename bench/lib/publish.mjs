// Time from publish to the new version serving new conversations: publish a flow that greets
// with a fresh marker and out-ranks the demo flow, then start new conversations (session,
// socket, page view) until one is greeted with the marker.
import { randomUUID } from 'node:crypto';
import { log } from './hot-path.mjs';
import { startSession, WidgetTab } from './widget-client.mjs';

async function admin(server, path, body) {
  const response = await fetch(`${server.base}/v1/admin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export async function benchPublish(server, { attempts = 100 } = {}) {
  log('publish -> serving new conversations');
  const marker = `Published greeting ${randomUUID()}`;
  const flow = await admin(server, '/flows', {
    schemaVersion: 1,
    name: 'Bench publish probe',
    pilotId: server.seeded.pilotId,
    priority: 1,
    trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
    start: 'hello',
    nodes: [
      { id: 'hello', type: 'send_message', text: marker, next: 'done' },
      { id: 'done', type: 'end' },
    ],
  });
  const started = performance.now();
  await admin(server, `/flows/${flow.id}/publish`, { note: 'bench' });
  const publishMs = performance.now() - started;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const tab = await WidgetTab.open(server.base, await startSession(server.base, 'pk_demo'));
    tab.send({ type: 'page_view', page: { url: 'http://localhost/bench' } });
    const greeting = await tab.waitFor(
      () => tab.received.find((m) => m.author === 'pilot'),
      'a greeting',
    );
    tab.close();
    if (greeting.text === marker) {
      return {
        ok: true,
        publishRequestMs: round(publishMs),
        servingMs: round(performance.now() - started),
        conversationsTried: attempt,
      };
    }
  }
  return { ok: false, reason: `not served after ${attempts} new conversations` };
}

function round(n) {
  return Math.round(n * 10) / 10;
}
