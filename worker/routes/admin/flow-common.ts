/** Pieces every flow route file uses: the flow view, ETags, loading a flow of the workspace. */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ErrorCode } from '../../../shared/errors.ts';
import type { Flow } from '../../../shared/flow/schema.ts';
import { parseFlowDocument } from '../../../shared/flow/validate.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { idParam } from '../../http/openapi.ts';
import { MAX_BODY_BYTES } from '../../http/parse.ts';
import { type FlowRecord, getWorkspaceFlow } from '../../store/flows.ts';
import { flowErrorIssues } from './flow-validation.ts';

/**
 * The flow document in OpenAPI: a reference to the JSON Schema generated from `flowSchema`
 * (registered as the `Flow` component in index.ts). Recursive conditions are beyond what
 * zod-to-openapi can walk, so the route validates bodies itself (`readFlowBody`).
 */
export const flowRef = { $ref: '#/components/schemas/Flow' } as const;

export const flowParams = z.object({ flowId: idParam('flowId') });

export const flowViewSchema = z
  .object({
    id: z.string(),
    pilotId: z.string(),
    revision: z.number().int().openapi({ description: 'Bumped on every draft write; the ETag' }),
    publishedVersion: z.number().int().nullable(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    draft: z.record(z.string(), z.unknown()).openapi(flowRef as never),
  })
  .openapi('FlowDraft');

export function flowView(flow: FlowRecord) {
  return {
    id: flow.id,
    pilotId: flow.pilotId,
    revision: flow.revision,
    publishedVersion: flow.publishedVersion,
    createdAt: flow.createdAt,
    updatedAt: flow.updatedAt,
    draft: flow.draft,
  };
}

export const etagOf = (revision: number) => `"${revision}"`;

export const ifMatchHeader = z.object({
  'if-match': z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'The ETag you read; a stale one answers 412' }),
});

/** 412 when the caller sent an If-Match that is not the draft's current ETag. */
export function checkIfMatch(ifMatch: string | undefined, flow: FlowRecord): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes(etagOf(flow.revision))) throw staleDraft();
}

export function staleDraft(): ApiError {
  return new ApiError(
    412,
    ErrorCode.preconditionFailed,
    'The draft changed since you read it; read it again (new ETag) and retry',
  );
}

export async function requireFlow(
  env: AppEnv,
  workspaceId: string,
  flowId: string,
): Promise<FlowRecord> {
  const flow = await getWorkspaceFlow(env, workspaceId, flowId);
  if (!flow) throw notFound('Flow');
  return flow;
}

/** Reads the body as a flow document: 413 over 1 MB, 400 naming every invalid field. */
export async function readFlowBody(c: Context): Promise<Flow> {
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new ApiError(413, ErrorCode.payloadTooLarge, 'Body exceeds 1 MB');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, ErrorCode.invalidInput, 'Body is not valid JSON', [
      { path: '(root)', message: 'Expected a JSON document' },
    ]);
  }
  // The validator's schema half, so issues name their node and a `wait` node says why it is refused.
  const { flow, errors } = parseFlowDocument(json);
  if (!flow)
    throw new ApiError(400, ErrorCode.invalidInput, 'Invalid flow', flowErrorIssues(errors));
  return flow;
}
