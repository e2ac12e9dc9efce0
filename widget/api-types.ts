/**
 * The public JavaScript API: `EdgePilot(method, ...args)`. Types only (no runtime code), for
 * site owners using TypeScript: `declare const EdgePilot: EdgePilotApi`.
 */

/** Contact attributes for `identify` / `update`. */
export interface ContactFields {
  email?: string;
  name?: string;
  phone?: string;
  [field: string]: string | number | boolean | undefined;
}

/** `identify` input: `hash = hex(HMAC-SHA256(identity secret, userId))`, computed server-side. */
export interface IdentifyInput extends ContactFields {
  userId?: string;
  hash?: string;
}

export type EdgePilotEvent = 'ready' | 'open' | 'close' | 'message' | 'unread' | 'error';

/** Payload per event: `message` {author, text, seq}; `unread` count; `error` {code, message}. */
export interface EdgePilotEventMap {
  ready: undefined;
  open: undefined;
  close: undefined;
  message: { author: 'visitor' | 'pilot' | 'agent' | 'system'; text: string; seq: number };
  unread: number;
  error: { code: string; message: string };
}

export interface EdgePilotApi {
  (method: 'open' | 'close' | 'toggle' | 'show' | 'hide' | 'shutdown'): Promise<void>;
  (method: 'identify', input: IdentifyInput): Promise<{ identified: boolean }>;
  (method: 'update', fields: ContactFields): Promise<void>;
  (method: 'logout'): Promise<void>;
  (method: 'track', name: string, props?: Record<string, unknown>): Promise<void>;
  (method: 'page', url?: string): Promise<void>;
  (method: 'showNewMessage', text: string): Promise<void>;
  (method: 'consent', granted: boolean): Promise<void>;
  (method: 'setLocale', tag: string): Promise<void>;
  <E extends EdgePilotEvent>(
    method: 'on' | 'off',
    event: E,
    callback: (detail: EdgePilotEventMap[E]) => void,
  ): Promise<void>;
}
