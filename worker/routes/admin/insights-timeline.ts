/**
 * `GET /flows/:flowId/insights/timeline`: the insights totals per hour or per day of a date
 * range (a run counts in the bucket it was triggered in), every bucket present, zeros included,
 * for the console's chart. Bounded: at most MAX_BUCKETS buckets, or a 400 naming the field.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../../shared/errors.ts';
import {
  autoBucket,
  BUCKET_MS,
  BUCKETS,
  bucketCount,
  denseSeries,
  MAX_BUCKETS,
} from '../../../shared/insights/timeline.ts';
import { ApiError } from '../../http/api-error.ts';
import { adminRouter, errors, json } from '../../http/openapi.ts';
import { queryInteger } from '../../http/pagination.ts';
import { flowTimelineRows } from '../../store/insights.ts';
import { flowParams, requireFlow } from './flow-common.ts';
import { DROPPED_AFTER_MS } from './insights.ts';

/** Without `from`, the timeline covers the 30 days before `to`. */
const DEFAULT_SPAN_MS = 30 * BUCKET_MS.day;

const count = z.number().int();
const timelineSchema = z
  .object({
    flowId: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    version: z.number().nullable(),
    bucket: z.enum(BUCKETS),
    buckets: z.array(
      z.object({
        start: z.number().int().openapi({ description: 'Epoch ms; the bucket ends at the next' }),
        triggered: count,
        started: count,
        completed: count,
        dropped: count,
        handedOver: count,
        failed: count,
      }),
    ),
  })
  .openapi('InsightsTimeline');

export const insightTimelineRoutes = adminRouter();

insightTimelineRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}/insights/timeline',
    operationId: 'getFlowInsightsTimeline',
    tags: ['Insights'],
    summary: 'Run counts of a flow per hour or day',
    description: `Buckets start at \`from\` (default: 30 days before \`to\`; \`to\` defaults to now). \`bucket\` defaults to \`hour\` for ranges of three days or less, else \`day\`. At most ${MAX_BUCKETS} buckets.`,
    request: {
      params: flowParams,
      query: z.strictObject({
        from: queryInteger(0),
        to: queryInteger(1),
        version: z.coerce.number().int().min(1).optional(),
        bucket: z.enum(BUCKETS).optional(),
      }),
    },
    responses: { 200: json(timelineSchema), ...errors(400, 404) },
  }),
  async (c) => {
    const workspaceId = c.get('principal').workspaceId;
    const query = c.req.valid('query');
    const now = Date.now();
    const to = query.to ?? now;
    const from = query.from ?? Math.max(0, to - DEFAULT_SPAN_MS);
    if (from >= to)
      throw new ApiError(400, ErrorCode.invalidInput, 'Invalid request query', [
        { path: 'query.to', message: 'Must be after `from`' },
      ]);
    const bucket = query.bucket ?? autoBucket(from, to);
    if (bucketCount(from, to, bucket) > MAX_BUCKETS)
      throw new ApiError(400, ErrorCode.invalidInput, 'Invalid request query', [
        {
          path: 'query.from',
          message: `The range holds more than ${MAX_BUCKETS} ${bucket} buckets: shorten it${bucket === 'hour' ? ' or count by day' : ''}`,
        },
      ]);
    const flow = await requireFlow(c.env, workspaceId, c.req.valid('param').flowId);
    const v = query.version ?? null;
    const rows = await flowTimelineRows(
      c.env,
      workspaceId,
      flow.id,
      { from, to, version: v, idleBefore: now - DROPPED_AFTER_MS },
      BUCKET_MS[bucket],
    );
    return c.json(
      {
        flowId: flow.id,
        from,
        to,
        version: v,
        bucket,
        buckets: denseSeries(from, to, bucket, rows),
      },
      200,
    );
  },
);
