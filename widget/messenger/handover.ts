/**
 * What the lean start-up (index.ts) hands to the full messenger (full.ts) when it loads: the
 * launcher it drew, the session request it sent with the first page view, what the visitor did
 * meanwhile (a click that opened it, a dismissed bubble, keyboard focus) and the API calls made
 * meanwhile, each waiting for its answer. Nothing is asked twice and nothing is lost.
 */
import type { QueuedCall } from '../queue.ts';
import type { SessionStart } from '../transport/connection.ts';
import type { LauncherPart } from './launcher-view.ts';
import type { Reported } from './page-tracking.ts';
import type { MessengerStorage } from './storage.ts';

/** An `EdgePilot(...)` call made while only the lean start-up ran: answered by the full API. */
export interface WaitingCall {
  call: QueuedCall;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface Handover {
  /** The lean start-up's `<edgepilot-messenger>`, replaced by the full element. */
  host: HTMLElement;
  storage: MessengerStorage;
  session: SessionStart;
  /** The page the first page view reported. */
  page: Reported;
  open: boolean;
  bubbleDismissed: boolean;
  /** The lean launcher's control that had keyboard focus (the launcher, the bubble or its ×). */
  focused: LauncherPart | null;
  /** Calls made through the README's stub before the loader ran, in order. */
  stubbed: QueuedCall[];
  calls: WaitingCall[];
}
