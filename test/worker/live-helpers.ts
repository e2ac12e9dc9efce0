/** A console live socket for Workers-runtime tests, opened the way the console opens it. */
import type { LiveConversation } from '../../worker/live/live-store.ts';
import { call } from '../helpers/admin.ts';
import { eventually, json } from './runtime-helpers.ts';

export interface LiveFrame {
  type: string;
  items?: LiveConversation[];
  reason?: string;
}

/** POST /live/tickets with the key, then the socket with the ticket only; every frame kept. */
export async function liveSocket(pilotId: string) {
  const { ticket } = await json<{ ticket: string }>(
    await call('/v1/admin/live/tickets', { method: 'POST', body: JSON.stringify({ pilotId }) }),
  );
  const response = await call(
    `/v1/admin/live/socket?pilotId=${encodeURIComponent(pilotId)}&ticket=${encodeURIComponent(ticket)}`,
    { headers: { upgrade: 'websocket' }, key: null },
  );
  const ws = response.webSocket;
  if (!ws) throw new Error(`live socket refused: ${response.status} ${await response.text()}`);
  const frames: LiveFrame[] = [];
  ws.addEventListener('message', (event) => {
    if (event.data !== 'pong') frames.push(JSON.parse(String(event.data)) as LiveFrame);
  });
  ws.accept();
  await eventually(
    async () => frames.some((f) => f.type === 'snapshot'),
    (seen) => seen,
    'the snapshot frame',
  );
  /** Conversation ids of every row sent in `changes` frames. */
  const changed = () =>
    frames.flatMap((f) =>
      f.type === 'changes' ? (f.items ?? []).map((r) => r.conversationId) : [],
    );
  /** Every row this socket was sent for the conversation's turns (with a message), in order. */
  const rows = (conversationId: string) =>
    frames.flatMap((f) =>
      f.type === 'changes'
        ? (f.items ?? []).filter((r) => r.conversationId === conversationId && r.lastMessage)
        : [],
    );
  return { ws, frames, changed, rows };
}
