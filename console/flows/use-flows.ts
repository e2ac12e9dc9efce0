/**
 * Loading what the flows list shows: pilots and flows (a bounded number of pages), then, per
 * shown flow, its newest version (status, last published) and today's run count (insights).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiClient, components } from '../api/client.ts';
import { type ApiFailure, unwrap } from '../api/errors.ts';
import { startOfDay } from './flow-summary.ts';

export type Pilot = components['schemas']['Pilot'];
export type FlowView = components['schemas']['FlowDraft'];

/** At most this many flows (pages of 100) are listed; the rest are named as not shown. */
export const MAX_LISTED_FLOWS = 500;
/** Details (versions, runs today) are fetched for this many rows, a few requests at a time. */
export const MAX_DETAIL_ROWS = 50;
const DETAIL_CONCURRENCY = 4;

export interface FlowDetails {
  latestVersion: number | null;
  lastPublishedAt: number | null;
  runsToday: number | null;
}

export interface FlowsData {
  pilots: Pilot[];
  flows: FlowView[];
  truncated: boolean;
}

/** Pilots and flows, following `nextCursor` until MAX_LISTED_FLOWS (the loop's bound). */
export async function loadFlowsAndPilots(
  api: ApiClient,
): Promise<{ ok: true; data: FlowsData } | { ok: false; failure: ApiFailure }> {
  const pilots = await unwrap(api.GET('/pilots', { params: { query: { limit: 100 } } }));
  if (!pilots.ok) return pilots;
  const flows: FlowView[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/flows', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    if (!page.ok) return page;
    flows.push(...page.data.items);
    cursor = page.data.nextCursor ?? undefined;
  } while (cursor && flows.length < MAX_LISTED_FLOWS);
  return {
    ok: true,
    data: {
      pilots: pilots.data.items,
      flows: flows.slice(0, MAX_LISTED_FLOWS),
      truncated: !!cursor,
    },
  };
}

/** Pilots and flows; `reload()` after a change. */
export function useFlows(api: ApiClient) {
  const [data, setData] = useState<FlowsData | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const reload = useCallback(async () => {
    const result = await loadFlowsAndPilots(api);
    if (result.ok) {
      setData(result.data);
      setFailure(null);
    } else setFailure(result.failure);
  }, [api]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, failure, reload };
}

async function detailsOf(api: ApiClient, flowId: string, dayStart: number): Promise<FlowDetails> {
  const path = { flowId };
  const [versions, insights] = await Promise.all([
    unwrap(api.GET('/flows/{flowId}/versions', { params: { path, query: { limit: 1 } } })),
    unwrap(api.GET('/flows/{flowId}/insights', { params: { path, query: { from: dayStart } } })),
  ]);
  const newest = versions.ok ? versions.data.items[0] : undefined;
  return {
    latestVersion: versions.ok ? (newest?.version ?? 0) : null,
    lastPublishedAt: newest?.publishedAt ?? null,
    runsToday: insights.ok ? insights.data.totals.triggered : null,
  };
}

/**
 * Details stay fresh this long. The admin API allows 600 requests a minute per key and each
 * row costs two, so a list reloaded after every create or delete must not refetch them all.
 */
export const DETAIL_TTL_MS = 60_000;
const MAX_CACHED_DETAILS = 1000;
/** Per client (so per key): another key never sees these. */
const detailCaches = new WeakMap<ApiClient, Map<string, { at: number; details: FlowDetails }>>();

/** The cache key changes when the flow's live version does (publish, unpublish). */
export const detailKey = (flow: { id: string; publishedVersion: number | null }) =>
  `${flow.id}@${flow.publishedVersion ?? 'none'}`;

function cacheOf(api: ApiClient) {
  const found = detailCaches.get(api);
  if (found) return found;
  const cache = new Map<string, { at: number; details: FlowDetails }>();
  detailCaches.set(api, cache);
  return cache;
}

/** The details already known and still fresh, by flow id. */
function freshDetails(
  api: ApiClient,
  flows: readonly { id: string; publishedVersion: number | null }[],
  now: number,
): Record<string, FlowDetails> {
  const cache = cacheOf(api);
  const out: Record<string, FlowDetails> = {};
  for (const flow of flows) {
    const hit = cache.get(detailKey(flow));
    if (hit && now - hit.at < DETAIL_TTL_MS) out[flow.id] = hit.details;
  }
  return out;
}

/**
 * Details of the given flows (the first MAX_DETAIL_ROWS), keyed by id: fresh cached ones at
 * once, the others fetched a few at a time.
 */
export function useFlowDetails(
  api: ApiClient,
  flows: readonly { id: string; publishedVersion: number | null }[],
) {
  const shown = flows.slice(0, MAX_DETAIL_ROWS);
  const key = shown.map(detailKey).join(',');
  const [details, setDetails] = useState<Record<string, FlowDetails>>(() =>
    freshDetails(api, shown, Date.now()),
  );
  // `key` stands for the shown flows and their live versions.
  useEffect(() => {
    let cancelled = false;
    const now = Date.now();
    const cache = cacheOf(api);
    const known = freshDetails(api, shown, now);
    setDetails((prev) => ({ ...prev, ...known }));
    const queue = shown.filter((f) => !known[f.id]);
    const dayStart = startOfDay(new Date(now));
    const worker = async () => {
      for (let flow = queue.shift(); flow !== undefined && !cancelled; flow = queue.shift()) {
        const found = await detailsOf(api, flow.id, dayStart);
        if (cache.size >= MAX_CACHED_DETAILS) cache.clear();
        cache.set(detailKey(flow), { at: Date.now(), details: found });
        if (!cancelled) setDetails((prev) => ({ ...prev, [flow.id]: found }));
      }
    };
    void Promise.all(Array.from({ length: DETAIL_CONCURRENCY }, worker));
    return () => {
      cancelled = true;
    };
  }, [api, key]);
  return details;
}
