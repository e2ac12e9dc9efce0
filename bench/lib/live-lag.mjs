// Live view lag (issues 14 and 15): a visitor's message -> the `changes` frame that shows it at
// a console live socket. Both ends are what the product uses: the visitor speaks the widget
// protocol, the console side trades the admin key (in a header) for a ticket and opens
// /v1/admin/live/socket with it, as the browser console does. A pilot of its own keeps other
// sections' conversations out of the frames.
import { randomUUID } from 'node:crypto';
import { log, summarize } from './hot-path.mjs';
import { openWebSocket, startSession, WidgetTab } from './widget-client.mjs';

/** The bar: a visitor's message shows in the live view within 250 ms (p50), locally. */
export const LIVE_LAG_BAR_MS = 250;
/** Messages measured (after the warm-up), one at a time. */
export const LIVE_LAG_PLAN = { warmup: 3, messages: 60 };
/** Above the conversation's refill rate (5 frames/s): the limiter is not what is measured. */
const PACE_MS = 220;
/** A frame that has not come by then counts as lost: the run fails rather than waiting. */
const FRAME_TIMEOUT_MS = 15_000;

async function admin(server, method, path, body) {
  const response = await fetch(`${server.base}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A console live socket, opened with a ticket; keeps every conversation row it was sent. */
async function openLiveSocket(server, pilotId) {
  const { ticket, socketPath } = await admin(server, 'POST', '/live/tickets', { pilotId });
  const url = `${server.base.replace(/^http/, 'ws')}${socketPath}&ticket=${encodeURIComponent(ticket)}`;
  const ws = await openWebSocket(url);
  const waiters = new Set();
  ws.addEventListener('message', (event) => {
    if (event.data === 'pong') return;
    const frame = JSON.parse(String(event.data));
    if (frame.type !== 'changes') return;
    const at = performance.now();
    for (const waiter of waiters) waiter(frame.items, at);
  });
  /** Resolves with the arrival time of the first row that `match` accepts. */
  const next = (match) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no live frame within ${FRAME_TIMEOUT_MS} ms`));
      }, FRAME_TIMEOUT_MS);
      const waiter = (items, at) => {
        if (!items.some(match)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(at);
      };
      waiters.add(waiter);
    });
  return { next, close: () => ws.close() };
}

export async function benchLiveLag(server, plan = LIVE_LAG_PLAN) {
  const pilot = await admin(server, 'POST', '/pilots', {
    name: `Bench live lag ${randomUUID().slice(0, 8)}`,
    trustedDomains: ['localhost'],
    fallbackMessage: 'Noted, thank you.',
  });
  const live = await openLiveSocket(server, pilot.id);
  const tab = await WidgetTab.open(server.base, await startSession(server.base, pilot.publicKey));
  const conversationId = tab.welcome.conversationId;
  log(`live lag: ${plan.warmup} + ${plan.messages} messages, one at a time`);
  const samples = [];
  try {
    for (let i = 0; i < plan.warmup + plan.messages; i++) {
      // The row's `lastMessageAt` is the server's clock (same machine) at the turn: a row at or
      // after the send can only come from this message's turn, never from an earlier one.
      const sentAt = Date.now();
      const arrived = live.next(
        (row) => row.conversationId === conversationId && (row.lastMessageAt ?? 0) >= sentAt,
      );
      const started = performance.now();
      tab.send({ type: 'message', text: `Live lag ${i}` });
      const ms = (await arrived) - started;
      if (i >= plan.warmup) samples.push(ms);
      await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    }
  } finally {
    tab.close();
    live.close();
  }
  const lag = summarize(samples);
  return {
    plan: { ...plan, paceMs: PACE_MS },
    barMs: LIVE_LAG_BAR_MS,
    lag,
    holds: lag.p50 !== null && lag.p50 <= LIVE_LAG_BAR_MS,
  };
}
