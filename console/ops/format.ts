/** Pure formatting of times and durations for the operations pages (inbox, live, logs). */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** `12 Mar 2026, 10:04:05`, or an em dash for no time. */
export function formatTime(at: number | null | undefined): string {
  return at ? dateTime.format(at) : '—';
}

/** `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 4 min`; an em dash for no duration. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "for 3 min 5 s" since `since`, as of `now`. */
export function waitingFor(since: number | null, now: number): string {
  return since === null ? '—' : formatDuration(Math.max(0, now - since));
}

/** `yyyy-mm-dd` of a date input → epoch ms of that local midnight (end: the next midnight). */
export function dateInputToEpoch(value: string, end = false): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + (end ? 1 : 0));
  return Number.isNaN(day.getTime()) ? undefined : day.getTime();
}

/** A URL's host and path (what an agent needs to know of a page), or the text unchanged. */
export function shortUrl(url: string | null): string {
  if (!url) return '—';
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/** Only http(s) links are ever rendered as links (no `javascript:` from a transcript). */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
