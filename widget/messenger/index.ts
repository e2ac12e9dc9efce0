/**
 * The messenger's lean start-up: what runs on every page view. It draws the launcher (plain DOM
 * in a shadow root, the same accessible launcher the full messenger draws), sends the page view
 * with the session request and shows what the answer brings (a proactive greeting as bubble and
 * unread badge, the pilot's accent and corner), reading from storage only what the full
 * messenger would read. The full messenger (full.ts: the API, the socket, SPA tracking, the Lit
 * panel on open) loads only when it is needed: the visitor points at, focuses or clicks the
 * launcher or the bubble; the site calls `EdgePilot(...)`; the page navigates (SPA); the answer
 * brings what only it handles (banners and redirects, `live`: a socket for what is still to
 * come, a page view refused or not done); or the session could not be had (offline, refused,
 * failed: its retry and error rules are the full messenger's). It takes over this launcher and
 * this session: no second page view, no lost click, no flicker.
 */
import type { ChatMessage } from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import type { EdgePilotQueue } from '../queue.ts';
import type { OutgoingFrame, SessionStart } from '../transport/connection.ts';
import {
  checkedMessages,
  forgetStaleRead,
  readSession,
  requestSession,
  type SessionOutcome,
} from '../transport/session.ts';
import type { WaitingCall } from './handover.ts';
import { LauncherView, unreadOf } from './launcher-view.ts';
import { pageInfo, trackPages } from './page-tracking.ts';
import { createStorage } from './storage.ts';
import { pickLocale, strings } from './strings.ts';
import { nextTask } from './tasks.ts';

const w = window as unknown as { EdgePilot?: EdgePilotQueue };

/** Calls after which no launcher may show until the site says otherwise. */
const quiet = (method: unknown) => method === 'hide' || method === 'shutdown';

function start(config: WidgetConfig, queue: EdgePilotQueue): void {
  if (customElements.get('edgepilot-messenger')) return;
  const storage = createStorage(config);
  const locale = pickLocale(config.locale ?? navigator.language);
  const t = strings[locale] ?? strings.en!;
  const stubbed = queue.q ?? [];
  const calls: WaitingCall[] = [];
  const page = { url: location.href, referrer: document.referrer };
  const frames: OutgoingFrame[] = [
    {
      type: 'page_view',
      page: pageInfo(page.url, page.referrer),
      v: 1,
      id: crypto.randomUUID(),
    },
  ];
  const session: SessionStart = { frames, stored: null, request: null };
  // What the lean launcher shows and what the visitor did to it (plain locals: the minifier
  // gives them a letter).
  let open = false;
  let bubbleDismissed = false;
  let position = '';
  /** The page view's answer's messages, checked; the bubble shows the newest. */
  let messages: ChatMessage[] = [];
  /** The stored read position, read only when messages arrive. */
  let readSeq: number | undefined;
  /** The full messenger is loading, or has taken over. */
  let loading = false;
  let handedOver = false;
  /** The full messenger's API, once it has taken over. */
  let live: EdgePilotQueue | undefined;
  /**
   * A pointer or key is down on the launcher or bubble: a takeover now would remove the element
   * under it and the browser would fire no click. It waits (`deferred`) until the press ends.
   */
  let pressed = false;
  let deferred: (() => void) | null = null;

  const host = document.createElement('edgepilot-messenger');
  const view = new LauncherView(host, {
    toggle: () => {
      open = !open;
      draw();
      load();
    },
    intent: () => load(),
    openBubble: () => {
      open = true;
      draw();
      load();
    },
    dismiss: () => {
      bubbleDismissed = true;
      draw();
    },
  });
  const draw = () => {
    const unread = open
      ? 0
      : unreadOf(messages, () => (readSeq ??= Number(storage.read('read')) || 0));
    view.draw({ t, locale, position, open, hidden: false, unread, messages, bubbleDismissed });
  };

  /** Loads the full messenger once (a failed load is tried again on the next need). */
  const load = () => {
    if (loading) return;
    loading = true;
    import('./full.ts').then(
      ({ takeOver }) => {
        deferred = () => {
          handedOver = true;
          // The full messenger tracks pages from here on (stopped before it wraps `history`,
          // so its wrapper is not undone), and no press can defer it any more.
          stopTracking();
          removeEventListener('pointerup', released, true);
          removeEventListener('pointercancel', released, true);
          live = takeOver(config, {
            host,
            storage,
            session,
            page,
            open,
            bubbleDismissed,
            focused: view.focusedPart(),
            stubbed,
            calls,
          });
        };
        if (!pressed) deferred();
      },
      (error: unknown) => {
        loading = false;
        console.error('[edgepilot] messenger failed to load', error);
      },
    );
  };

  const answered = (outcome: SessionOutcome) => {
    if (handedOver) return;
    const started = readSession(outcome);
    const answer = started?.page;
    // No session, or the page view not done (rate limited): the full messenger's rules apply.
    if (!started || !answer || answer.refused?.length) {
      load();
      return;
    }
    // As the connection does with a session: a stored key that did not resume is forgotten; the
    // new one is kept only where storage is allowed (a no-op before interaction, by default).
    if (started.visitorKey) {
      if (session.stored && session.stored !== started.visitorKey) storage.remove('visitor');
      storage.write('visitor', started.visitorKey);
    }
    position = view.setAppearance(started.appearance);
    const checked = checkedMessages(answer);
    if (checked.length) {
      if (forgetStaleRead(answer, storage)) readSeq = 0;
      messages = checked;
    }
    draw();
    // Banners and redirects, or more to come without the visitor (a socket): the full messenger.
    if (answer.frames?.length || answer.live) load();
  };

  // Only an `EdgePilot(...)` call needs the API: it waits for the full messenger, then answers.
  // A site that kept this function gets the live API once it has taken over.
  // Forwarded to the live API itself, not through `window.EdgePilot`: a site that wrapped
  // the global around this function would otherwise call itself for ever.
  const api: EdgePilotQueue = (...call) =>
    live
      ? live(...call)
      : new Promise((resolve, reject) => {
          // Hidden or shut down now, not when the full messenger has loaded (seconds later).
          if (quiet(call[0])) host.remove();
          calls.push({ call, resolve, reject });
          load();
        });
  api.q = stubbed;
  api.c = config;
  w.EdgePilot = api;

  host.onpointerdown = host.onkeydown = () => {
    pressed = true;
  };
  // After the press's click (dispatched in the same task as its pointerup or keyup). A pointer
  // released away from the launcher fires nothing on it: the window hears it (capture).
  const released = () => {
    pressed = false;
    setTimeout(() => {
      if (!pressed && !handedOver) deferred?.();
    });
  };
  host.onkeyup = host.onblur = released;
  addEventListener('pointerup', released, true);
  addEventListener('pointercancel', released, true);
  draw();
  // A site that hid or shut the messenger down before it loaded never sees its launcher.
  if (!stubbed.some(([method]) => quiet(method))) {
    document.body.append(host);
    revealUnderAntiFouc(host);
  }
  // A navigation (SPA) needs the full messenger's tracking, which goes on from this page.
  const stopTracking = trackPages(() => {
    if (!handedOver) load();
  }, page);
  // Calls made before the loader ran (listeners among them) come first: the full messenger
  // starts the session itself, as it always did, so they hear everything it brings.
  if (stubbed.length || navigator.onLine === false) {
    load();
    return;
  }
  // The first storage access and the request start in a task of their own, after the launcher's:
  // each is short, so none is a long task on the host page.
  nextTask(() => {
    if (loading) return;
    session.stored = storage.read('visitor');
    session.request = requestSession(config, {
      visitorKey: session.stored,
      user: null,
      frames,
      locale,
    });
    session.request.then(answered, () => {
      if (!handedOver) load();
    });
  });
}

/**
 * The lean launcher's element is defined only when the full messenger loads, so a page's
 * anti-FOUC rule (`:not(:defined) { display: none }`, even !important) hides it. A rule aimed at
 * the messenger itself (a site hiding it on small screens) must still win. They are told apart by
 * a probe: an undefined element of another name hidden as well means the rule is about undefined
 * elements, and the host is marked `reveal` (styles.ts: an !important rule of the shadow tree,
 * which beats the page's, only while the element is undefined). Cost: the host's style is
 * computed now rather than at the next frame, and a second computation (the probe's) happens
 * only when the host is hidden.
 */
function revealUnderAntiFouc(host: HTMLElement): void {
  const hidden = (el: Element) => {
    const style = getComputedStyle(el);
    return style.display === 'none' || style.opacity === '0';
  };
  if (!hidden(host)) return;
  const probe = document.createElement('edgepilot-probe');
  document.body.append(probe);
  if (hidden(probe)) host.setAttribute('reveal', '');
  probe.remove();
}

const queue = w.EdgePilot;
const config = queue?.c;
if (config && queue) {
  // The launcher is drawn as this module is evaluated (a timer hop before it only cost one more
  // task and a later launcher; the start-up chunk is usually evaluated in a task of its own, as
  // the loader imports it alongside), and the session request starts in the next task. The loader
  // imports this after `load`; a page whose body is still missing then is waited for.
  if (document.body) start(config, queue);
  else addEventListener('DOMContentLoaded', () => start(config, queue), { once: true });
}
