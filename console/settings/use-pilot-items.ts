/**
 * A pilot's intents, entities, variables or knowledge articles: loaded page by page (bounded),
 * and created, replaced or deleted through the typed client. One hook for the four kinds: their
 * routes are the same factory on the server (worker/routes/admin/pilot-items.ts).
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiClient, components } from '../api/client.ts';
import { type ApiFailure, unwrap } from '../api/errors.ts';

export type PilotItemSegment = 'intents' | 'entities' | 'variables' | 'knowledge';
/** A stored item: its fields plus id, pilotId, createdAt, updatedAt. */
export type PilotItem = components['schemas']['Intent'];

type Bodies = {
  intents: components['schemas']['IntentInput'];
  entities: components['schemas']['EntityInput'];
  variables: components['schemas']['PilotVariableInput'];
  knowledge: components['schemas']['KnowledgeArticleInput'];
};

/** Pages of 100 read at most: 1,000 items, far more than a pilot's settings pages show. */
const MAX_PAGES = 10;

async function listAll(api: ApiClient, segment: PilotItemSegment, pilotId: string) {
  const items: PilotItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await unwrap(
      api.GET(`/pilots/{pilotId}/${segment}`, {
        params: { path: { pilotId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
      }),
    );
    if (!result.ok) return result;
    items.push(...result.data.items);
    if (!result.data.nextCursor) break;
    cursor = result.data.nextCursor;
  }
  return { ok: true as const, data: items };
}

export function usePilotItems<S extends PilotItemSegment>(
  api: ApiClient,
  segment: S,
  pilotId: string,
) {
  // The four kinds share one route shape; the path is widened so one call serves them all.
  const collection: `/pilots/{pilotId}/${PilotItemSegment}` = `/pilots/{pilotId}/${segment}`;
  const member: `/pilots/{pilotId}/${PilotItemSegment}/{itemId}` = `${collection}/{itemId}`;
  const [items, setItems] = useState<PilotItem[] | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const reload = useCallback(async () => {
    const result = await listAll(api, segment, pilotId);
    if (result.ok) {
      setItems(result.data);
      setFailure(null);
    } else setFailure(result.failure);
  }, [api, segment, pilotId]);
  useEffect(() => {
    setItems(null);
    void reload();
  }, [reload]);

  const path = { pilotId };
  const create = (body: Bodies[S]) => unwrap(api.POST(collection, { params: { path }, body }));
  const replace = (itemId: string, body: Bodies[S]) =>
    unwrap(api.PUT(member, { params: { path: { pilotId, itemId } }, body }));
  const remove = (itemId: string) =>
    unwrap(api.DELETE(member, { params: { path: { pilotId, itemId } } }));
  return { items, failure, reload, create, replace, remove };
}
