/**
 * `GET /flows/:flowId/insights`: counts computed from the enrollment log — triggered, started,
 * completed, dropped (still waiting after 30 idle minutes), handed over, failed, cancelled;
 * per node entered/completed/failed/dropped; per connection (a node's port) the runs that took
 * it, from the recorded steps (the canvas draws its width); per choice of each question; the
 * average score of each rating question per flow version.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { adminRouter, errors, json } from '../../http/openapi.ts';
import { queryInteger } from '../../http/pagination.ts';
import { flowInsightRows } from '../../store/insights.ts';
import { flowParams, requireFlow } from './flow-common.ts';

export const DROPPED_AFTER_MS = 30 * 60 * 1000;

const insightsSchema = z
  .object({
    flowId: z.string(),
    from: z.number().nullable(),
    to: z.number().nullable(),
    version: z.number().nullable(),
    totals: z.object({
      triggered: z.number(),
      started: z.number(),
      completed: z.number(),
      dropped: z.number(),
      handedOver: z.number(),
      failed: z.number(),
      cancelled: z.number(),
    }),
    nodes: z.array(
      z.object({
        nodeId: z.string(),
        nodeType: z.string(),
        entered: z.number(),
        completed: z.number(),
        failed: z.number(),
        dropped: z
          .number()
          .openapi({ description: 'Runs still waiting here after 30 idle minutes' }),
      }),
    ),
    edges: z
      .array(
        z.object({
          nodeId: z.string(),
          port: z.string().openapi({
            description:
              'As the engine records it: `next`, `else`, `branches[1].next`, `option:<value>` for a button…',
          }),
          runs: z.number().openapi({ description: 'Runs that left the node by this port' }),
        }),
      )
      .openapi({ description: 'Traffic per connection, busiest first' }),
    choices: z.array(z.object({ nodeId: z.string(), choice: z.string(), count: z.number() })),
    ratings: z.array(
      z.object({
        nodeId: z.string(),
        version: z.number(),
        count: z.number(),
        average: z.number().openapi({ description: 'Stars 1..5; thumbs: the share of 👍 (0..1)' }),
      }),
    ),
  })
  .openapi('Insights');

const time = queryInteger(0);

export const insightRoutes = adminRouter();

insightRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flows/{flowId}/insights',
    operationId: 'getFlowInsights',
    tags: ['Insights'],
    summary: 'Run and step counts of a flow',
    request: {
      params: flowParams,
      query: z.object({ from: time, to: time, version: z.coerce.number().int().min(1).optional() }),
    },
    responses: { 200: json(insightsSchema), ...errors(404) },
  }),
  async (c) => {
    const workspaceId = c.get('principal').workspaceId;
    const flow = await requireFlow(c.env, workspaceId, c.req.valid('param').flowId);
    const { from, to, version } = c.req.valid('query');
    const lo = from ?? 0;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const v = version ?? null;
    const idleBefore = Date.now() - DROPPED_AFTER_MS;
    const { totals, nodes, choices, edges, dropped, ratings } = await flowInsightRows(
      c.env,
      workspaceId,
      flow.id,
      { from: lo, to: hi, version: v, idleBefore },
    );
    const droppedAt = new Map(
      ((dropped?.results ?? []) as { nodeId: string; dropped: number }[]).map((r) => [
        r.nodeId,
        Number(r.dropped),
      ]),
    );
    type Body = z.infer<typeof insightsSchema>;
    const zero = {
      triggered: 0,
      started: 0,
      completed: 0,
      dropped: 0,
      handedOver: 0,
      failed: 0,
      cancelled: 0,
    };
    const row = (totals?.results[0] ?? zero) as typeof zero;
    return c.json(
      {
        flowId: flow.id,
        from: from ?? null,
        to: to ?? null,
        version: v,
        totals: Object.fromEntries(
          Object.entries(zero).map(([k]) => [k, Number(row[k as keyof typeof zero] ?? 0)]),
        ) as typeof zero,
        nodes: ((nodes?.results ?? []) as Omit<Body['nodes'][number], 'dropped'>[]).map((n) => ({
          ...n,
          dropped: droppedAt.get(n.nodeId) ?? 0,
        })),
        edges: (edges?.results ?? []) as Body['edges'],
        choices: (choices?.results ?? []) as Body['choices'],
        ratings: (ratings?.results ?? []) as Body['ratings'],
      },
      200,
    );
  },
);
