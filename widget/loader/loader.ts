/**
 * /widget.js — the tiny loader. Reads its own data-* attributes once, installs the
 * `EdgePilot(method, ...args)` queue (keeping calls made through the README's stub) and imports
 * the hashed messenger entry at once: the entry is the lean start-up (a launcher and one
 * request, each step a short task of its own; the full messenger loads only when needed), so it
 * needs no wait for the page's `load` and an idle moment. Nothing here blocks rendering (an
 * async script, module imports, which do not hold the page's `load` event). The only global is
 * `EdgePilot`; the frozen config travels on it as `EdgePilot.c`.
 */
import { readConfig } from '../config.ts';
import type { EdgePilotQueue } from '../queue.ts';

declare const MESSENGER_PATH: string;
declare const START_CHUNKS: string[];

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
  // `import()` inherits this script's fetch options, nonce included: a nonce-only CSP works.
  // The entry's static imports are asked for at the same time (the module map fetches each once),
  // so the launcher does not wait for a second round trip.
  for (const path of [MESSENGER_PATH, ...START_CHUNKS])
    import(`${config.api}${path}`).catch((error: unknown) => {
      console.error('[edgepilot] messenger failed to load', error);
    });
}
