/**
 * `POST /session`: the visitor's session, with the queued page view riding along (one request per
 * page view, not two). Shared by the lean start-up (which sends the first page view's session on
 * every page) and the connection (which settles the answer, or takes over the lean start-up's).
 */
import type { ChatMessage, ClientFrame } from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import { checkServerFrame } from './server-frame.ts';

/** A page view's answer: what a socket would have said (checked frame by frame by the reader). */
export interface BeaconAnswer {
  refused?: number[];
  lastSeq: number;
  messages?: unknown[];
  frames?: unknown[];
  live?: boolean;
}

export interface Session {
  token: string;
  expiresAt: number;
  conversationId: string;
  visitorId: string;
  /** The anonymous visitor's resume credential (null for a verified contact). */
  visitorKey: string | null;
  displayName: string;
  identified: boolean;
  /** The pilot's appearance (as `GET /config` says it): the messenger's accent and corner. */
  appearance?: { accentColor?: string; position?: string };
  page?: BeaconAnswer;
}

/** The HTTP status and the parsed body (null when it was not JSON); a network error rejects. */
export interface SessionOutcome {
  status: number;
  body: unknown;
}

/** What the request says: who the visitor is and the frames riding with it. */
export interface SessionRequest {
  visitorKey: string | null;
  user: { userId: string; hash?: string } | null;
  frames: Exclude<ClientFrame, { type: 'hello' }>[];
  locale: string;
}

export async function requestSession(
  config: WidgetConfig,
  { visitorKey, user, frames, locale }: SessionRequest,
): Promise<SessionOutcome> {
  const response = await fetch(`${config.api}/v1/widget/${config.pilotKey}/session`, {
    // A string body (text/plain): a "simple" request, no CORS preflight before the session.
    method: 'POST',
    body: JSON.stringify({
      ...(visitorKey ? { visitorKey } : {}),
      ...(user ? { user } : {}),
      ...(frames.length ? { frames, ...(locale ? { locale } : {}) } : {}),
    }),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/**
 * The session in a 2xx answer, or null: the fields the messenger relies on are checked (a
 * visitor key longer than any the server issues is refused, so storage stays bounded).
 */
export function readSession({ status, body }: SessionOutcome): Session | null {
  const s = body as Session | null;
  const key = s?.visitorKey;
  const ok =
    status > 199 &&
    status < 300 &&
    typeof s?.token === 'string' &&
    (key === null || (typeof key === 'string' && key.length <= 200)) &&
    (s.page === undefined || typeof s.page?.lastSeq === 'number');
  return ok ? s : null;
}

/** The answer's messages, each checked as a socket's message frame is; the rest dropped. */
export function checkedMessages(answer: BeaconAnswer): ChatMessage[] {
  const messages = Array.isArray(answer.messages) ? answer.messages : [];
  return messages.flatMap((message) => {
    const parsed = checkServerFrame({ v: 1, type: 'message', message });
    return parsed?.type === 'message' ? [parsed.message] : [];
  });
}

/**
 * The conversation ends below the stored read position: it was erased and numbers from 1 again
 * (or it is another conversation). A stale position would hide the answer's messages from the
 * badge and bubble: it is forgotten (true), as a socket's welcome does. Call it only for an
 * answer with messages: a plain page view has nothing the position could hide, and reads nothing.
 */
export function forgetStaleRead(
  answer: BeaconAnswer,
  storage: { read(key: string): string | null; remove(key: string): void },
): boolean {
  if (answer.lastSeq >= (Number(storage.read('read')) || 0)) return false;
  storage.remove('read');
  return true;
}
