/**
 * The live `EdgePilot(method, ...args)` API over a mounted messenger (SPEC 3.1). Every method
 * returns a Promise; unknown methods and bad arguments reject with a message naming them.
 */
import type { ContactFields, IdentifyInput } from '../api-types.ts';
import type { MessengerElement, MessengerEvent } from './messenger-element.ts';
import { pageInfo } from './page-tracking.ts';

type Listener = (detail: unknown) => void;
type Method = (...args: unknown[]) => unknown;

/** Listeners per event, shared by the element (which emits) and the API (on/off). */
export function createEvents() {
  const listeners = new Map<string, Set<Listener>>();
  let ready = false;
  const call = (cb: Listener, detail?: unknown) => {
    try {
      cb(detail);
    } catch (error) {
      console.error('[edgepilot] listener failed', error);
    }
  };
  return {
    on: (event: string, cb: Listener) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(cb);
      // `ready` happens once: a listener added later is told at once, not never.
      if (event === 'ready' && ready) call(cb);
    },
    off: (event: string, cb: Listener) => listeners.get(event)?.delete(cb),
    emit(event: MessengerEvent, detail?: unknown) {
      ready ||= event === 'ready';
      for (const cb of listeners.get(event) ?? []) call(cb, detail);
    },
  };
}

/** Contact attributes a frame may carry: strings, numbers and booleans only. */
function contactOf(fields: ContactFields) {
  const { email, name, phone, userId: _u, hash: _h, ...rest } = fields as IdentifyInput;
  const extra = Object.fromEntries(
    Object.entries(rest).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)),
  ) as Record<string, string | number | boolean>;
  return {
    ...(typeof email === 'string' ? { email } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof phone === 'string' ? { phone } : {}),
    ...(Object.keys(extra).length ? { fields: extra } : {}),
  };
}

export function createApi(
  element: MessengerElement,
  events: ReturnType<typeof createEvents>,
  shutdown: () => void,
): Record<string, Method> {
  const sendContact = (fields: ContactFields) => {
    const contact = contactOf(fields ?? {});
    // The site's call, not the visitor's interaction: it does not unlock storage.
    if (Object.keys(contact).length) element.connection.send({ type: 'identify', contact });
  };
  return {
    open: () => element.show(),
    close: () => element.hide(),
    toggle: () => (element.open ? element.hide() : element.show()),
    show: () => {
      element.launcherHidden = false;
    },
    hide: () => {
      element.launcherHidden = true;
      element.hide();
    },
    async identify(input) {
      const { userId, hash } = (input ?? {}) as IdentifyInput;
      let identified = false;
      if (typeof userId === 'string' && userId) {
        identified = await element.connection.reidentify({
          userId,
          ...(typeof hash === 'string' ? { hash } : {}),
        });
      }
      sendContact(input as ContactFields);
      return { identified };
    },
    update: (fields) => sendContact(fields as ContactFields),
    logout: () => element.connection.reidentify(null).then(() => undefined),
    track: (name, props) => {
      if (typeof name !== 'string' || !name) throw new TypeError('track(name): name is required');
      element.connection.send({
        type: 'event',
        name: name.slice(0, 100),
        ...(props && typeof props === 'object' ? { props: props as Record<string, unknown> } : {}),
      });
    },
    page: (url) =>
      element.connection.send({
        type: 'page_view',
        page: pageInfo(typeof url === 'string' ? url : location.href, document.referrer),
      }),
    showNewMessage: (text) => element.prefill(typeof text === 'string' ? text : ''),
    consent: (granted) => {
      if (granted) {
        element.storage.allow(true);
        element.connection.rememberVisitor();
      } else element.storage.deny();
    },
    setLocale: (tag) => element.setLocale(String(tag)),
    on: (event, cb) => {
      if (typeof cb === 'function') events.on(String(event), cb as Listener);
    },
    off: (event, cb) => {
      events.off(String(event), cb as Listener);
    },
    shutdown,
  };
}
