import type { WidgetConfig } from './config.ts';

/** One queued `EdgePilot(method, ...args)` call. */
export type QueuedCall = [method: string, ...args: unknown[]];

/** The global before the messenger takes over: a function that queues calls. */
export interface EdgePilotQueue {
  (...call: QueuedCall): unknown;
  q?: QueuedCall[];
  c?: WidgetConfig;
}
