/**
 * Tools that change nothing: validate a draft (or a posted flow), simulate the draft or a
 * version against scripted visitor events, and the flow format's JSON Schema for editors.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  simulateFlow,
  simulateRequestSchema,
  simulateResultSchema,
} from '../../../shared/engine/simulate.ts';
import { ErrorCode } from '../../../shared/errors.ts';
import { flowJsonSchema } from '../../../shared/flow/json-schema.ts';
import { validateFlow } from '../../../shared/flow/validate.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { adminRouter, errors, json } from '../../http/openapi.ts';
import { MAX_BODY_BYTES } from '../../http/parse.ts';
import { getVersion } from '../../store/flow-admin.ts';
import { pilotVariableValues } from '../../store/pilot-items.ts';
import { getWorkspacePilot } from '../../store/pilots.ts';
import { flowParams, flowRef, requireFlow } from './flow-common.ts';
import { validateForPilot } from './flow-validation.ts';

const issueSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string(),
  nodeId: z.string().optional(),
});

const validationSchema = z
  .object({ ok: z.boolean(), errors: z.array(issueSchema), warnings: z.array(issueSchema) })
  .openapi('FlowValidation');

export const flowToolRoutes = adminRouter();

flowToolRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows/{flowId}/validate',
    operationId: 'validateFlow',
    tags: ['Flows'],
    summary: 'Validate the draft, or the flow in the body; errors block publishing',
    request: {
      params: flowParams,
      body: { required: false, content: { 'application/json': { schema: flowRef } } },
    },
    responses: { 200: json(validationSchema), ...errors(404, 413) },
  }),
  async (c) => {
    const flow = await requireFlow(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').flowId,
    );
    const text = await c.req.text();
    if (text.length > MAX_BODY_BYTES)
      throw new ApiError(413, ErrorCode.payloadTooLarge, 'Body exceeds 1 MB');
    let candidate: unknown = flow.draft;
    if (text.trim() !== '') {
      try {
        candidate = JSON.parse(text);
      } catch {
        throw new ApiError(400, ErrorCode.invalidInput, 'Body is not valid JSON', [
          { path: '(root)', message: 'Expected a JSON document' },
        ]);
      }
    }
    const result = await validateForPilot(c.env, flow.pilotId, candidate);
    return c.json({ ok: result.ok, errors: result.errors, warnings: result.warnings }, 200);
  },
);

/**
 * Validate a flow that does not exist yet (flow-as-code CI: a new file in a pull request),
 * checked against the pilot its `pilotId` names.
 */
flowToolRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows/validate',
    operationId: 'validateFlowDocument',
    tags: ['Flows'],
    summary: 'Validate a flow document before creating it (against the pilot it names)',
    request: { body: { required: true, content: { 'application/json': { schema: flowRef } } } },
    responses: { 200: json(validationSchema), ...errors(404, 413) },
  }),
  async (c) => {
    const candidate = await readJson(c.req.raw);
    const pilotId = (candidate as { pilotId?: unknown } | null)?.pilotId;
    const { workspaceId } = c.get('principal');
    // Without a usable pilotId the structural check reports it; with one, it must be ours.
    if (typeof pilotId === 'string' && pilotId !== '') {
      if (!(await getWorkspacePilot(c.env, workspaceId, pilotId))) throw notFound('Pilot');
    }
    const result =
      typeof pilotId === 'string' && pilotId !== ''
        ? await validateForPilot(c.env, pilotId, candidate)
        : validateFlow(candidate);
    return c.json({ ok: result.ok, errors: result.errors, warnings: result.warnings }, 200);
  },
);

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES)
    throw new ApiError(413, ErrorCode.payloadTooLarge, 'Body exceeds 1 MB');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, ErrorCode.invalidInput, 'Body is not valid JSON', [
      { path: '(root)', message: 'Expected a JSON document' },
    ]);
  }
}

flowToolRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/flows/{flowId}/simulate',
    operationId: 'simulateFlow',
    tags: ['Flows'],
    summary: 'Run the draft (or `version`) against scripted events; touches nothing real',
    request: {
      params: flowParams,
      // `?version=N` or `"version": N` in the body (issue 3 names both).
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      body: {
        required: true,
        content: {
          'application/json': { schema: simulateRequestSchema.openapi('SimulateRequest') },
        },
      },
    },
    responses: { 200: json(simulateResultSchema.openapi('SimulateResult')), ...errors(404) },
  }),
  async (c) => {
    const { workspaceId } = c.get('principal');
    const flow = await requireFlow(c.env, workspaceId, c.req.valid('param').flowId);
    const request = c.req.valid('json');
    const wanted = c.req.valid('query').version ?? request.version;
    let definition = flow.draft;
    if (wanted !== undefined) {
      const version = await getVersion(c.env, flow.id, wanted);
      if (!version) throw notFound('Version');
      definition = version.definition;
    }
    const pilot = await getWorkspacePilot(c.env, workspaceId, flow.pilotId);
    const result = simulateFlow(definition, request, {
      name: pilot?.settings.appearance.displayName ?? pilot?.name,
      timezone: pilot?.settings.timezone,
      officeHours: pilot?.settings.officeHours,
      variables: await pilotVariableValues(c.env, flow.pilotId),
    });
    return c.json(result, 200);
  },
);

flowToolRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/schema/flow.json',
    operationId: 'getFlowJsonSchema',
    tags: ['Flows'],
    summary: 'JSON Schema of the flow format (for editors and CI)',
    responses: { 200: json(z.record(z.string(), z.unknown())), ...errors() },
  }),
  (c) => c.json(flowJsonSchema(), 200),
);
