/**
 * What the flows list shows of a flow, derived from the API's flow view: pure functions, unit
 * tested in test/console/flow-summary.test.ts.
 */
import type { Trigger } from '../../shared/flow/triggers.ts';

/** The fields of `GET /flows` items the list reads. */
export interface FlowListItem {
  id: string;
  pilotId: string;
  revision: number;
  publishedVersion: number | null;
  updatedAt: number;
  draft: Record<string, unknown>;
}

export type FlowStatus =
  | { kind: 'unknown' }
  | { kind: 'draft' }
  | { kind: 'published'; version: number }
  | { kind: 'unpublished'; lastVersion: number };

/**
 * `published vN` while a version is live; `unpublished` once versions exist but none is live;
 * `draft` before the first publish. `latestVersion` is null while the versions are not known
 * yet: a flow that is not live then says `unknown` rather than guess.
 */
export function flowStatus(
  publishedVersion: number | null,
  latestVersion: number | null,
): FlowStatus {
  if (publishedVersion !== null) return { kind: 'published', version: publishedVersion };
  if (latestVersion !== null && latestVersion > 0) {
    return { kind: 'unpublished', lastVersion: latestVersion };
  }
  return latestVersion === null ? { kind: 'unknown' } : { kind: 'draft' };
}

export function statusLabel(status: FlowStatus): string {
  switch (status.kind) {
    case 'published':
      return `Published v${status.version}`;
    case 'unpublished':
      return 'Unpublished';
    case 'unknown':
      return '…';
    default:
      return 'Draft';
  }
}

const triggerNames: Record<Trigger['type'], string> = {
  page_visited: 'Page visited',
  event: 'Event',
  new_conversation: 'New conversation',
  intent_detected: 'Intent detected',
};

/** "Page visited: /pricing", "Event: signup", "Intent detected: refund, billing". */
export function triggerLabel(trigger: unknown): string {
  if (!trigger || typeof trigger !== 'object') return 'No trigger';
  const t = trigger as Partial<Trigger> & { type?: string };
  const name = triggerNames[t.type as Trigger['type']] ?? String(t.type ?? 'Unknown');
  if (t.type === 'page_visited') {
    const urls = (t as { urls?: { op: string; value: string }[] }).urls ?? [];
    const shown = urls.filter((u) => u.op !== 'any').map((u) => u.value);
    return shown.length
      ? `${name}: ${shown.slice(0, 2).join(', ')}${shown.length > 2 ? '…' : ''}`
      : `${name}: any page`;
  }
  if (t.type === 'event') return `${name}: ${(t as { name?: string }).name ?? ''}`;
  if (t.type === 'intent_detected') {
    return `${name}: ${((t as { intents?: string[] }).intents ?? []).join(', ')}`;
  }
  return name;
}

export function flowName(flow: FlowListItem): string {
  return typeof flow.draft.name === 'string' && flow.draft.name ? flow.draft.name : flow.id;
}

export function flowPriority(flow: FlowListItem): number {
  return typeof flow.draft.priority === 'number' ? flow.draft.priority : 100;
}

/**
 * The flows matching the search text (name, description, id; case-insensitive) and the pilot
 * filter ('' = every pilot), sorted by priority (the order the runtime picks them), then name.
 */
export function filterFlows<F extends FlowListItem>(
  flows: readonly F[],
  query: string,
  pilotId: string,
): F[] {
  const needle = query.trim().toLowerCase();
  return flows
    .filter((f) => !pilotId || f.pilotId === pilotId)
    .filter((f) => {
      if (!needle) return true;
      const description = typeof f.draft.description === 'string' ? f.draft.description : '';
      return [flowName(f), description, f.id].some((s) => s.toLowerCase().includes(needle));
    })
    .sort((a, b) => flowPriority(a) - flowPriority(b) || flowName(a).localeCompare(flowName(b)));
}

/** Midnight of `now`'s day in the browser's time zone: the start of "runs today". */
export function startOfDay(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}
