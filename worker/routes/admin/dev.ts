/** `POST /dev/seed` (development only): the idempotent demo seed scripts and tests rely on. */
import { createRoute, z } from '@hono/zod-openapi';
import { DEFAULT_WORKSPACE_ID, isDevelopment } from '../../env.ts';
import { notFound } from '../../http/api-error.ts';
import { adminRouter, errors, json } from '../../http/openapi.ts';
import { seedDemo } from '../../seed/seed.ts';

const seedResultSchema = z
  .object({
    workspaceId: z.string(),
    pilotId: z.string(),
    publicKey: z.string(),
    flowId: z.string(),
    version: z.number().int(),
  })
  .openapi('SeedResult');

export const devRoutes = adminRouter();

devRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/dev/seed',
    operationId: 'seedDemo',
    tags: ['Development'],
    summary: 'Seed the demo pilot and flow (ENVIRONMENT=development only)',
    request: {
      query: z.object({
        // The origin the demo page is opened on (`npm start` prints localhost): the demo
        // articles cite its pages, so a citation does not jump to another origin.
        siteOrigin: z
          .url({ protocol: /^https?$/ })
          .optional()
          .openapi({
            description: "Origin the demo articles cite; defaults to this request's origin",
          }),
      }),
    },
    responses: { 200: json(seedResultSchema), ...errors(400, 404) },
  }),
  async (c) => {
    // Only the default workspace's keys may seed it; elsewhere the route does not exist.
    if (!isDevelopment(c.env) || c.get('principal').workspaceId !== DEFAULT_WORKSPACE_ID) {
      throw notFound('Route');
    }
    const { siteOrigin } = c.req.valid('query');
    const origin = new URL(siteOrigin ?? c.req.url).origin;
    return c.json(await seedDemo(c.env, Date.now(), origin), 200);
  },
);
