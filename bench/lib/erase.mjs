// Erase time for one person with 10 conversations of 100 messages (issue 18). The person is a
// verified contact (identity HMAC) who chats on 10 pilots through the real widget protocol:
// 50 questions and 50 pilot answers per conversation. Once the export shows all of it held,
// the erase call is timed, repeated while it answers 202 (in progress), until it reports done.
import { createHmac, randomUUID } from 'node:crypto';
import { log } from './hot-path.mjs';
import { WidgetTab } from './widget-client.mjs';

const SECRET = `bench-identity-secret-${randomUUID()}`;
/** The conversation's token bucket refills 5 frames a second: stay under it. */
const PACE_MS = 210;

async function admin(server, method, path, body) {
  const response = await fetch(`${server.base}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return { status: response.status, body: await response.json() };
}

async function session(server, publicKey, userId) {
  const hash = createHmac('sha256', SECRET).update(userId).digest('hex');
  const response = await fetch(`${server.base}/v1/widget/${publicKey}/session`, {
    method: 'POST',
    headers: { origin: 'http://localhost', 'content-type': 'application/json' },
    body: JSON.stringify({ user: { userId, hash } }),
  });
  if (!response.ok) throw new Error(`session refused: ${response.status} ${await response.text()}`);
  return response.json();
}

async function converse(server, publicKey, userId, turns) {
  const tab = await WidgetTab.open(server.base, await session(server, publicKey, userId));
  for (let turn = 0; turn < turns; turn++) {
    const started = performance.now();
    await tab.ask(`Question ${turn} from ${userId}`);
    const wait = PACE_MS - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const held = tab.transcript().length;
  tab.close();
  return held;
}

export async function benchErase(server, { conversations = 10, messages = 100 } = {}) {
  const userId = `bench-user-${randomUUID()}`;
  const pilots = [];
  for (let i = 0; i < conversations; i++) {
    const { body } = await admin(server, 'POST', '/pilots', {
      name: `Bench erase ${i}`,
      trustedDomains: ['localhost'],
      fallbackMessage: 'Noted, thank you.',
      identitySecret: SECRET,
    });
    pilots.push(body);
  }
  const { body: contact } = await admin(server, 'POST', '/contacts', {
    externalId: userId,
    email: `${userId}@example.com`,
  });
  log(`erase: ${conversations} conversations x ${messages} messages`);
  const held = await Promise.all(
    pilots.map((p) => converse(server, p.publicKey, userId, Math.ceil(messages / 2))),
  );
  // Wait until the index (fed by the queue) holds every conversation: the erase then has real
  // D1 rows to remove, not only objects.
  let exported;
  for (let attempt = 0; attempt < 100; attempt++) {
    exported = (await admin(server, 'GET', `/contacts/${contact.id}/export`)).body;
    if (exported.conversations.length === conversations) {
      let indexed = 0;
      for (const pilot of pilots)
        indexed += (await admin(server, 'GET', `/conversations?pilotId=${pilot.id}&limit=10`)).body
          .items.length;
      if (indexed === conversations) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const storedMessages = exported.conversations.reduce((n, c) => n + c.messages.length, 0);
  const started = performance.now();
  let calls = 0;
  let receipt;
  do {
    calls++;
    receipt = (await admin(server, 'POST', `/contacts/${contact.id}/erase`)).body;
  } while (receipt.status === 'in_progress' && calls < 100);
  const eraseMs = performance.now() - started;
  return {
    ok: receipt.status === 'erased',
    conversations,
    messagesPerConversation: Math.round(storedMessages / conversations),
    messagesHeldBySockets: held.reduce((a, b) => a + b, 0),
    storedMessages,
    eraseMs: Math.round(eraseMs * 10) / 10,
    calls,
    erased: receipt.erased,
  };
}
