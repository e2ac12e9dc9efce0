/** The workspace's pilots (first 100), for the pickers of the operations pages. */
import { useEffect, useState } from 'preact/hooks';
import type { ApiClient, components } from '../api/client.ts';
import { type ApiFailure, unwrap } from '../api/errors.ts';

export type PilotView = components['schemas']['Pilot'];
export type FlowDraftView = components['schemas']['FlowDraft'];

export function usePilots(api: ApiClient) {
  const [pilots, setPilots] = useState<PilotView[] | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    void unwrap(api.GET('/pilots', { params: { query: { limit: 100 } } })).then((r) => {
      if (r.ok) setPilots(r.data.items);
      else setFailure(r.failure);
    });
  }, [api]);
  return { pilots, failure };
}

/** The workspace's flows (first 100), for the flow pickers of logs and insights. */
export function useFlowChoices(api: ApiClient) {
  const [flows, setFlows] = useState<FlowDraftView[] | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    void unwrap(api.GET('/flows', { params: { query: { limit: 100 } } })).then((r) => {
      if (r.ok) setFlows(r.data.items);
      else setFailure(r.failure);
    });
  }, [api]);
  return { flows, failure };
}

/** A flow's display name. */
export function flowLabel(flow: FlowDraftView): string {
  const name = (flow.draft as { name?: unknown }).name;
  return typeof name === 'string' && name ? name : flow.id;
}
