/**
 * Page views: the current page on start, then every SPA navigation (history.pushState /
 * replaceState / popstate), debounced so a burst of history calls is one page view. The
 * referrer of an SPA navigation is the previous URL.
 */
import type { PageInfo } from '../../shared/protocol.ts';

const UTM = ['source', 'medium', 'campaign', 'term', 'content'] as const;
const DEBOUNCE_MS = 250;

/** URL, title (the document's), referrer and UTM parameters of a page. */
export function pageInfo(url: string, referrer: string): PageInfo {
  // `EdgePilot('page', '/path')` may pass a relative URL: flows match on the absolute one.
  const absolute = new URL(url, location.href);
  const params = absolute.searchParams;
  const utm: NonNullable<PageInfo['utm']> = {};
  for (const key of UTM) {
    const value = params.get(`utm_${key}`);
    if (value) utm[key] = value.slice(0, 200);
  }
  return {
    url: absolute.href.slice(0, 2048),
    title: document.title.slice(0, 512),
    referrer: referrer.slice(0, 2048),
    ...(Object.keys(utm).length ? { utm } : {}),
  };
}

/** The page a page view reported: where tracking goes on from after a takeover. */
export interface Reported {
  url: string;
  referrer: string;
}

/**
 * Watches navigations and reports each new URL once; returns a function that stops watching.
 * `since`: the page the lean start-up reported with its session: only a later navigation,
 * including one made while this code was loading, is reported.
 */
export function trackPages(report: (page: PageInfo) => void, since: Reported): () => void {
  let { url: last, referrer } = since;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (location.href === last) return;
      referrer = last;
      last = location.href;
      report(pageInfo(last, referrer));
    }, DEBOUNCE_MS);
  };
  const { pushState, replaceState } = history;
  // Wrap rather than replace, so other scripts' own wrappers keep working.
  history.pushState = function (...args) {
    pushState.apply(this, args);
    check();
  };
  history.replaceState = function (...args) {
    replaceState.apply(this, args);
    check();
  };
  addEventListener('popstate', check);
  if (location.href !== last) check();
  return () => {
    clearTimeout(timer);
    history.pushState = pushState;
    history.replaceState = replaceState;
    removeEventListener('popstate', check);
  };
}
