/**
 * Enrollment logs (SPEC 3.4): runs of a flow with every step (node, time, version, status,
 * duration, error), written by the events queue consumer; unenroll cancels a run; retry
 * continues a failed run from its failed step, or starts the published version again.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import type { RetryResult } from '../../conversation/runtime.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { adminRouter, errors, idParam, json, listOf } from '../../http/openapi.ts';
import { decodeCursor, paginationQuery, queryInteger } from '../../http/pagination.ts';
import {
  ENROLLMENT_STATUSES,
  type EnrollmentRow,
  enrollmentSteps,
  getEnrollment,
  listEnrollments,
} from '../../store/enrollments.ts';
import { flowParams, requireFlow } from './flow-common.ts';

const enrollmentSchema = z
  .object({
    id: z.string(),
    flowId: z.string(),
    version: z.number().int(),
    conversationId: z.string(),
    subject: z.string(),
    status: z.enum(ENROLLMENT_STATUSES),
    nodeId: z.string().nullable(),
    error: z.string().nullable(),
    handedOver: z.boolean(),
    triggeredAt: z.number(),
    startedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    updatedAt: z.number(),
  })
  .openapi('Enrollment');

const stepSchema = z
  .object({
    seq: z.number().int(),
    nodeId: z.string(),
    nodeType: z.string(),
    version: z.number().int(),
    status: z.string(),
    port: z.string().nullable(),
    choice: z.string().nullable(),
    /** A rating question's score (stars 1..5, thumbs 1/0). */
    rating: z.number().nullable(),
    error: z.string().nullable(),
    durationMs: z.number(),
    at: z.number(),
  })
  .openapi('EnrollmentStep');

function view(row: EnrollmentRow) {
  return {
    id: row.id,
    flowId: row.flow_id,
    version: row.version,
    conversationId: row.conversation_id,
    subject: row.subject,
    status: row.status,
    nodeId: row.node_id,
    error: row.error,
    handedOver: row.handed_over === 1,
    triggeredAt: row.triggered_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    updatedAt: row.updated_at,
  };
}

async function requireEnrollment(env: AppEnv, workspaceId: string, id: string) {
  const row = await getEnrollment(env, workspaceId, id);
  if (!row) throw notFound('Enrollment');
  return row;
}

const time = queryInteger(0);
/** Why a retry was refused, as the 409 says it (every refusal the object can give). */
const RETRY_REFUSED: Record<Extract<RetryResult, { ok: false }>['reason'], string> = {
  run_active: 'The conversation already has an active run',
  not_published: 'The flow is not published',
};
const enrollmentParams = z.object({ enrollmentId: idParam('enrollmentId') });

export const enrollmentRoutes = adminRouter();

enrollmentRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}/enrollments',
    operationId: 'listEnrollments',
    tags: ['Enrollment logs'],
    summary: 'Runs of a flow, newest first',
    request: {
      params: flowParams,
      query: paginationQuery.extend({
        status: z.enum(ENROLLMENT_STATUSES).optional(),
        from: time.openapi({ description: 'Triggered at or after (epoch ms)' }),
        to: time.openapi({ description: 'Triggered before (epoch ms)' }),
        q: z.string().max(200).optional().openapi({ description: 'Conversation id or subject' }),
        version: z.coerce
          .number()
          .int()
          .min(1)
          .optional()
          .openapi({ description: 'Runs of this flow version' }),
      }),
    },
    responses: { 200: json(listOf(enrollmentSchema, 'EnrollmentList')), ...errors(404) },
  }),
  async (c) => {
    const workspaceId = c.get('principal').workspaceId;
    const flow = await requireFlow(c.env, workspaceId, c.req.valid('param').flowId);
    const { limit, cursor, status, from, to, q, version } = c.req.valid('query');
    const page = await listEnrollments(
      c.env,
      workspaceId,
      flow.id,
      { status, version, from, to, q },
      { cursor: decodeCursor(cursor), limit },
      view,
    );
    return c.json(page, 200);
  },
);

/** Steps one read of a run returns (a looping run records one or more every turn). */
const MAX_STEPS_READ = 1_000;

enrollmentRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/enrollments/{enrollmentId}',
    operationId: 'getEnrollment',
    tags: ['Enrollment logs'],
    summary: 'One run with its steps',
    description: `The run's first ${MAX_STEPS_READ.toLocaleString('en')} steps in order; \`stepCount\` is how many it recorded (more when a flow loops).`,
    request: { params: enrollmentParams },
    responses: {
      200: json(
        enrollmentSchema
          .extend({
            steps: z.array(stepSchema),
            stepCount: z
              .number()
              .int()
              .openapi({
                description: `Steps the run recorded; \`steps\` holds the first ${MAX_STEPS_READ.toLocaleString('en')}`,
              }),
          })
          .openapi('EnrollmentDetail'),
      ),
      ...errors(404),
    },
  }),
  async (c) => {
    const row = await requireEnrollment(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').enrollmentId,
    );
    const read = await enrollmentSteps(c.env, row.id, MAX_STEPS_READ);
    const steps = read.steps.map((s) => ({
      seq: Number(s.seq),
      nodeId: String(s.node_id),
      nodeType: String(s.node_type),
      version: Number(s.version),
      status: String(s.status),
      port: (s.port as string | null) ?? null,
      choice: (s.choice as string | null) ?? null,
      rating: s.rating === null || s.rating === undefined ? null : Number(s.rating),
      error: (s.error as string | null) ?? null,
      durationMs: Number(s.duration_ms),
      at: Number(s.at),
    }));
    return c.json({ ...view(row), steps, stepCount: read.total }, 200);
  },
);

enrollmentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/enrollments/{enrollmentId}/unenroll',
    operationId: 'unenrollEnrollment',
    tags: ['Enrollment logs'],
    summary: 'Cancel the run (status `cancelled`); the chat stays',
    request: { params: enrollmentParams },
    responses: { 200: json(z.object({ id: z.string(), cancelled: z.boolean() })), ...errors(404) },
  }),
  async (c) => {
    const row = await requireEnrollment(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').enrollmentId,
    );
    const stub = c.env.CONVERSATION.get(c.env.CONVERSATION.idFromName(row.conversation_id));
    const cancelled = await stub.cancelRuns({ runId: row.id }, 'unenrolled');
    return c.json({ id: row.id, cancelled }, 200);
  },
);

enrollmentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/enrollments/{enrollmentId}/retry',
    operationId: 'retryEnrollment',
    tags: ['Enrollment logs'],
    summary:
      'Retry: a failed run continues from the step that failed (same run, version and variables); any other run is replaced by a new run of the published version in the same conversation',
    request: { params: enrollmentParams },
    responses: {
      201: json(
        z.object({
          runId: z.string(),
          resumed: z
            .boolean()
            .openapi({ description: 'True when the failed run itself continued' }),
        }),
        'Created',
      ),
      ...errors(404, 409),
    },
  }),
  async (c) => {
    const row = await requireEnrollment(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').enrollmentId,
    );
    const stub = c.env.CONVERSATION.get(c.env.CONVERSATION.idFromName(row.conversation_id));
    const result = await stub.retryRun(row.id, row.flow_id);
    if (!result.ok) throw new ApiError(409, ErrorCode.conflict, RETRY_REFUSED[result.reason]);
    return c.json({ runId: result.runId, resumed: result.resumed }, 201);
  },
);
