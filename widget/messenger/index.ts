/**
 * Messenger bundle entry: defines <edgepilot-messenger>, mounts it, and turns the global
 * `EdgePilot` queue into the live API (replaying calls made before the bundle arrived).
 */
import type { EdgePilotQueue, QueuedCall } from '../queue.ts';
import { MessengerElement } from './messenger-element.ts';

const w = window as unknown as { EdgePilot?: EdgePilotQueue };
const queue = w.EdgePilot;
const config = queue?.c;

if (config && !customElements.get('edgepilot-messenger')) {
  customElements.define('edgepilot-messenger', MessengerElement);
  const element = new MessengerElement(config);
  document.body.append(element);

  const dispatch = (...[method, ...args]: QueuedCall): unknown => {
    switch (method) {
      case 'open':
        return element.show();
      case 'close':
        return element.hide();
      case 'toggle':
        return element.open ? element.hide() : element.show();
      case 'track':
        return element.track(String(args[0]), args[1] as Record<string, unknown> | undefined);
      case 'page':
        return element.trackPage(typeof args[0] === 'string' ? args[0] : undefined);
      default:
        console.warn(`[edgepilot] unknown method ${method}`);
        return undefined;
    }
  };
  const live: EdgePilotQueue = (...call) => dispatch(...call);
  live.c = config;
  w.EdgePilot = live;
  for (const call of queue.q ?? []) dispatch(...call);
}
