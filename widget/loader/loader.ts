/**
 * /widget.js — the tiny loader. Reads its own data-* attributes once, installs the
 * `EdgePilot(method, ...args)` queue (keeping calls made through the README's stub) and, once
 * the page has loaded and the main thread is idle, imports the hashed messenger entry: the lean
 * start-up (a launcher and one request, each step a short task of its own; the full messenger
 * loads only when needed). Calls made meanwhile wait in the queue. Nothing here blocks
 * rendering. The only global is `EdgePilot`; the frozen config travels on it as `EdgePilot.c`.
 */
import { readConfig } from '../config.ts';
import type { EdgePilotQueue } from '../queue.ts';

declare const MESSENGER_PATH: string;
declare const START_CHUNKS: string[];

/** Longest wait for an idle moment: a page that is never idle still gets its messenger. */
const IDLE_TIMEOUT_MS = 2_000;

const w = window as unknown as { EdgePilot?: EdgePilotQueue };
const script = document.currentScript as HTMLScriptElement | null;
const config = script ? readConfig(script) : null;

if (config && !w.EdgePilot?.c) {
  const queued = w.EdgePilot?.q ?? [];
  const queue: EdgePilotQueue = (...call) => {
    queued.push(call);
  };
  queue.q = queued;
  queue.c = config;
  w.EdgePilot = queue;
  const load = () => {
    // `import()` inherits this script's fetch options, nonce included: a nonce-only CSP works.
    // The entry's static imports are asked for at the same time (the module map fetches each
    // once), so the launcher does not wait for a second round trip.
    for (const path of [MESSENGER_PATH, ...START_CHUNKS])
      import(`${config.api}${path}`).catch((error: unknown) => {
        console.error('[edgepilot] messenger failed to load', error);
      });
  };
  // After the page's `load` and an idle moment, as before the lean start-up: the site's own
  // content, hydration and start-up calls (`identify`, `consent`, `hide`) come first, so the
  // page view goes with the identity the site gives and the launcher is not drawn into a body
  // that a framework is about to re-render.
  const whenIdle = () => {
    if (typeof requestIdleCallback === 'function')
      requestIdleCallback(load, { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(load, 1);
  };
  if (document.readyState === 'complete') whenIdle();
  else addEventListener('load', whenIdle, { once: true });
}
