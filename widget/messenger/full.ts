/**
 * The full messenger, loaded on demand by the lean start-up (index.ts): defines
 * <edgepilot-messenger>, takes over the launcher, the session and the page tracking, and turns
 * `EdgePilot` into the live API (replaying the calls made before, in order), then emits `ready`.
 */
import type { WidgetConfig } from '../config.ts';
import type { EdgePilotQueue, QueuedCall } from '../queue.ts';
import { createApi, createEvents } from './api.ts';
import type { Handover } from './handover.ts';
import { MessengerElement } from './messenger-element.ts';
import { trackPages } from './page-tracking.ts';

const w = window as unknown as { EdgePilot?: EdgePilotQueue };

/** Returns the live API (undefined when another copy of the messenger already runs). */
export function takeOver(config: WidgetConfig, handover: Handover): EdgePilotQueue | undefined {
  if (customElements.get('edgepilot-messenger')) return undefined;
  const { host } = handover;
  const parent = host.parentNode ?? document.body;
  const next = host.nextSibling;
  // Out of the page before the name is defined: the lean host is never upgraded; the full
  // element takes its place in this same task, so no frame is drawn without a launcher.
  host.remove();
  customElements.define('edgepilot-messenger', MessengerElement);
  const events = createEvents();
  const element = new MessengerElement(config, events.emit, handover.storage);
  // Settled after the replay below: listeners the site added hear the page view's messages.
  const adopted = element.connection.adopt(handover.session);
  // The bubble the visitor dismissed stays dismissed, also after the answer shows it again.
  if (handover.bubbleDismissed)
    void adopted.then(() => {
      element.bubbleDismissed = true;
    });
  if (handover.open) element.show();
  const stopTracking = trackPages(
    (page) => element.connection.send({ type: 'page_view', page }),
    handover.page,
  );
  let down = false;
  const api = createApi(element, events, () => {
    down = true;
    stopTracking();
    element.remove();
  });

  const dispatch = async (...[method, ...args]: QueuedCall): Promise<unknown> => {
    if (down) return undefined;
    const fn = Object.hasOwn(api, method) ? api[method] : undefined;
    if (!fn) throw new TypeError(`EdgePilot: unknown method "${String(method)}"`);
    return fn(...args);
  };
  const live: EdgePilotQueue = (...call) => {
    const result = dispatch(...call);
    result.catch((error: unknown) => console.error('[edgepilot]', error));
    return result;
  };
  live.c = config;
  w.EdgePilot = live;
  for (const call of handover.stubbed) live(...call);
  for (const { call, resolve, reject } of handover.calls)
    (live(...call) as Promise<unknown>).then(resolve, reject);
  events.emit('ready');
  // Shut down by a call replayed above: it stays out of the page.
  if (down) return live;
  // Drawn before it is in the page: the launcher looks the same in the frame after the swap.
  element.update();
  parent.insertBefore(element, next);
  const { focused } = handover;
  if (focused && !handover.open && !element.view.focusPart(focused))
    // The bubble (or its ×) is drawn once the adopted answer has been settled and drawn: focus
    // goes back to it then, unless the visitor has moved it somewhere else meanwhile.
    void adopted.then(async () => {
      await element.updateComplete;
      const active = document.activeElement;
      if (!active || active === document.body) element.view.focusPart(focused);
    });
  return live;
}
