/**
 * Messenger bundle entry: defines <edgepilot-messenger>, mounts it, tracks page views and turns
 * the global `EdgePilot` queue into the live API (replaying calls made before the bundle
 * arrived, in order), then emits `ready`.
 */
import type { WidgetConfig } from '../config.ts';
import type { EdgePilotQueue, QueuedCall } from '../queue.ts';
import { createApi, createEvents } from './api.ts';
import { MessengerElement } from './messenger-element.ts';
import { trackPages } from './page-tracking.ts';
import { nextTask } from './tasks.ts';

const w = window as unknown as { EdgePilot?: EdgePilotQueue };
const queue = w.EdgePilot;
const config = queue?.c;

/** Mounts the launcher and turns the queue into the live API (its own task, after evaluation). */
function start(config: WidgetConfig, queue: EdgePilotQueue): void {
  if (customElements.get('edgepilot-messenger')) return;
  customElements.define('edgepilot-messenger', MessengerElement);
  const events = createEvents();
  const element = new MessengerElement(config, events.emit);
  document.body.append(element);
  const stopTracking = trackPages((page) => element.connection.send({ type: 'page_view', page }));
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
  for (const call of queue.q ?? []) live(...call);
  events.emit('ready');
}

// Evaluating this bundle and mounting the messenger are separate tasks: neither is a long one.
if (config && queue) nextTask(() => start(config, queue));
