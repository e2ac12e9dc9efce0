/** Helpers for the runtime tests: a pilot with published flows, visitors, waiting for the queue. */
import type { FlowInput } from '../../shared/flow/schema.ts';
import { call } from '../helpers/admin.ts';
import { openSocket, startSession, type TestSocket } from '../helpers/socket.ts';

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function createPilot(settings: Record<string, unknown> = {}) {
  const pilot = await json<{ id: string; publicKey: string }>(
    await call('/v1/admin/pilots', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Runtime test pilot',
        trustedDomains: ['localhost'],
        fallbackMessage: 'Fallback answer.',
        ...settings,
      }),
    }),
  );
  return { pilotId: pilot.id, publicKey: pilot.publicKey };
}

type FlowBody = Omit<FlowInput, 'schemaVersion' | 'pilotId'>;

export async function publishFlow(pilotId: string, flow: FlowBody) {
  const created = await json<{ id: string }>(
    await call('/v1/admin/flows', {
      method: 'POST',
      body: JSON.stringify({ schemaVersion: 1, pilotId, ...flow }),
    }),
  );
  const published = await json<{ version: number }>(
    await call(`/v1/admin/flows/${created.id}/publish`, { method: 'POST', body: '{}' }),
  );
  return { flowId: created.id, version: published.version };
}

/** Replaces the draft and publishes it as the next version. */
export async function republish(flowId: string, pilotId: string, flow: FlowBody) {
  const current = await call(`/v1/admin/flows/${flowId}`);
  const etag = current.headers.get('etag') ?? '';
  await json(
    await call(`/v1/admin/flows/${flowId}`, {
      method: 'PUT',
      headers: { 'if-match': etag },
      body: JSON.stringify({ schemaVersion: 1, pilotId, ...flow }),
    }),
  );
  return json<{ version: number }>(
    await call(`/v1/admin/flows/${flowId}/publish`, { method: 'POST', body: '{}' }),
  );
}

export interface Visitor {
  socket: TestSocket;
  conversationId: string;
  token: string;
  visitorId: string;
  /** What resumes this visitor in a later `visit` (its id alone does not). */
  visitorKey: string | null;
}

export async function visit(publicKey: string, visitorKey?: string | null): Promise<Visitor> {
  const { body, response } = await startSession(publicKey, visitorKey ?? undefined);
  if (!body) throw new Error(`session refused: ${response.status}`);
  const socket = await openSocket(body.conversationId, body.token);
  return { socket, ...body };
}

/** Polls `read` until `done` holds (the queue consumer runs asynchronously). */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
  return last;
}

/**
 * Waits until the queue has indexed the conversation: the admin routes that address one by id
 * answer 404 before that (they ask D1 first, so a made-up id creates no object).
 */
export async function indexed(conversationId: string): Promise<void> {
  await eventually(
    async () => (await call(`/v1/admin/conversations/${conversationId}`)).status,
    (status) => status === 200,
    `conversation ${conversationId} indexed`,
  );
}

export const texts = (socket: TestSocket) => socket.messages().map((m) => [m.author, m.text]);

/** Waits until the socket has received a pilot message containing `text`. */
export function said(socket: TestSocket, text: string) {
  return socket.waitForMessages(
    (messages) => messages.some((m) => m.author !== 'visitor' && m.text.includes(text)),
    `a message containing "${text}"`,
  );
}

/** Waits until the socket has received the ack of the client frame `id`. */
export function acked(socket: TestSocket, id: string) {
  return eventually(
    async () => socket.frames.some((f) => f.type === 'ack' && f.id === id),
    Boolean,
    `the ack of ${id}`,
  );
}
