/**
 * The editor's calls to the admin API (through the generated client): load the draft with its
 * ETag, save with If-Match, publish, unpublish, versions, restore, simulate. Responses that
 * carry a flow document are parsed with the flow schema (a trust boundary like any other).
 */

import type { SimulateRequest, SimulateResult } from '../../shared/engine/simulate-schema.ts';
import { simulateResultSchema } from '../../shared/engine/simulate-schema.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import type { ApiClient } from '../api/client.ts';
import { type ApiFailure, unwrap } from '../api/errors.ts';
import { parseFlowInSlices } from './model/sliced-parse.ts';

export interface LoadedDraft {
  flow: Flow;
  /** `flow` is the flow schema's output (not a document the schema refused, shown as it is). */
  parsed?: boolean;
  etag: string;
  revision: number;
  publishedVersion: number | null;
  pilotId: string;
}

export type Result<T> = { ok: true; data: T } | { ok: false; failure: ApiFailure };

function parseFlow(raw: unknown): Flow {
  const parsed = flowSchema.safeParse(raw);
  // The server validated the draft when it was written; a draft from an older schema still
  // opens (the validator then lists what is wrong) rather than locking the admin out.
  return parsed.success ? parsed.data : (raw as Flow);
}

type View = { draft: unknown; revision: number; publishedVersion: number | null; pilotId: string };

function draftOf(data: View, response: Response): LoadedDraft {
  return {
    flow: parseFlow(data.draft),
    etag: response.headers.get('ETag') ?? `"${data.revision}"`,
    revision: data.revision,
    publishedVersion: data.publishedVersion,
    pilotId: data.pilotId,
  };
}

/** The draft, parsed in time slices (a large flow would otherwise parse in one long task). */
export async function loadDraft(api: ApiClient, flowId: string): Promise<Result<LoadedDraft>> {
  const r = await unwrap(api.GET('/flows/{flowId}', { params: { path: { flowId } } }));
  if (!r.ok) return r;
  const { draft, revision, publishedVersion, pilotId } = r.data as View;
  const flow = await parseFlowInSlices(draft);
  return {
    ok: true,
    data: {
      flow: flow ?? (draft as Flow),
      parsed: flow !== null,
      etag: r.response.headers.get('ETag') ?? `"${revision}"`,
      revision,
      publishedVersion,
      pilotId,
    },
  };
}

/** PUT the draft; `etag` null overwrites whatever is there (the admin chose to). */
export async function saveDraft(
  api: ApiClient,
  flowId: string,
  flow: Flow,
  etag: string | null,
): Promise<Result<LoadedDraft>> {
  const r = await unwrap(
    api.PUT('/flows/{flowId}', {
      params: { path: { flowId }, header: { 'if-match': etag ?? '*' } },
      body: flow as never,
    }),
  );
  return r.ok ? { ok: true, data: draftOf(r.data, r.response) } : r;
}

export async function publish(api: ApiClient, flowId: string, note: string) {
  return unwrap(
    api.POST('/flows/{flowId}/publish', { params: { path: { flowId } }, body: { note } }),
  );
}

export async function unpublish(api: ApiClient, flowId: string) {
  return unwrap(api.POST('/flows/{flowId}/unpublish', { params: { path: { flowId } } }));
}

export interface VersionInfo {
  version: number;
  note: string;
  publishedAt: number;
  publishedBy: string;
}

export async function listVersions(api: ApiClient, flowId: string): Promise<Result<VersionInfo[]>> {
  const r = await unwrap(
    api.GET('/flows/{flowId}/versions', { params: { path: { flowId }, query: { limit: 100 } } }),
  );
  return r.ok ? { ok: true, data: r.data.items } : r;
}

export async function loadVersion(
  api: ApiClient,
  flowId: string,
  version: number,
): Promise<Result<Flow>> {
  const r = await unwrap(
    api.GET('/flows/{flowId}/versions/{version}', { params: { path: { flowId, version } } }),
  );
  return r.ok ? { ok: true, data: parseFlow(r.data.definition) } : r;
}

export async function restoreVersion(
  api: ApiClient,
  flowId: string,
  version: number,
  etag: string,
): Promise<Result<LoadedDraft>> {
  const r = await unwrap(
    api.POST('/flows/{flowId}/versions/{version}/restore', {
      params: { path: { flowId, version }, header: { 'if-match': etag } },
    }),
  );
  return r.ok ? { ok: true, data: draftOf(r.data, r.response) } : r;
}

export async function simulate(
  api: ApiClient,
  flowId: string,
  request: SimulateRequest,
): Promise<Result<SimulateResult>> {
  const r = await unwrap(
    api.POST('/flows/{flowId}/simulate', { params: { path: { flowId } }, body: request as never }),
  );
  if (!r.ok) return r;
  const parsed = simulateResultSchema.safeParse(r.data);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : {
        ok: false,
        failure: {
          status: 200,
          code: 'unexpected_response',
          message: 'Unexpected simulate result',
          issues: [],
          fields: {},
        },
      };
}
