/**
 * /widget.js — the tiny loader. Reads its own data-* attributes once, installs the
 * `EdgePilot(method, ...args)` queue (keeping calls made through the README's stub) and
 * lazy-loads the hashed messenger bundle once the page has loaded and the main thread is idle
 * (the site's own content comes first; calls made meanwhile wait in the queue). Nothing here
 * blocks rendering. The only global is `EdgePilot`; the frozen config travels on it as `EdgePilot.c`.
 */
import { readConfig } from '../config.ts';
import type { EdgePilotQueue } from '../queue.ts';

declare const MESSENGER_PATH: string;

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
    import(`${config.api}${MESSENGER_PATH}`).catch((error: unknown) => {
      console.error('[edgepilot] messenger failed to load', error);
    });
  };
  const whenIdle = () => {
    if (typeof requestIdleCallback === 'function')
      requestIdleCallback(load, { timeout: IDLE_TIMEOUT_MS });
    else setTimeout(load, 1);
  };
  if (document.readyState === 'complete') whenIdle();
  else addEventListener('load', whenIdle, { once: true });
}
