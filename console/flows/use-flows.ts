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

async function loadAll(
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
    const result = await loadAll(api);
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
 * Details of the given flows (the first MAX_DETAIL_ROWS), keyed by id; refetched when the set
 * of ids or `stamp` (bumped after a change) changes.
 */
export function useFlowDetails(api: ApiClient, flowIds: readonly string[], stamp: unknown) {
  const [details, setDetails] = useState<Record<string, FlowDetails>>({});
  const key = flowIds.slice(0, MAX_DETAIL_ROWS).join(',');
  // `key` stands for flowIds; `stamp` (bumped after a change) forces a refetch.
  useEffect(() => {
    let cancelled = false;
    const queue = key ? key.split(',') : [];
    const dayStart = startOfDay(new Date());
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !cancelled; id = queue.shift()) {
        const found = await detailsOf(api, id, dayStart);
        if (!cancelled) setDetails((prev) => ({ ...prev, [id]: found }));
      }
    };
    void Promise.all(Array.from({ length: DETAIL_CONCURRENCY }, worker));
    return () => {
      cancelled = true;
    };
  }, [api, key, stamp]);
  return details;
}
