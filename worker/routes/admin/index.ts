/**
 * The admin API (`/v1/admin`, SPEC 3.4): one OpenAPIHono app assembled from one router file
 * per resource. The OpenAPI 3.1 document (`/openapi.json`) is generated from the same zod
 * schemas that validate requests; `/docs` renders it.
 *
 * Adding a route file (other issues do this too):
 * 1. Create `worker/routes/admin/<resource>.ts` exporting `export const fooRoutes = adminRouter()`
 *    (from `worker/http/openapi.ts`) and register routes with `fooRoutes.openapi(createRoute({...}),
 *    handler)`. Give `request` zod schemas (`params`, `query` with `...paginationQuery.shape`,
 *    `body: jsonBody(schema)`) and `responses` (`json(schema)`, `...errors(404, 409)`).
 * 2. Add one `.route('/', fooRoutes)` line below. Auth, scopes (GET = read, else write),
 *    rate limits, the 1 MB body limit and 400-on-invalid-input already apply.
 * 3. In handlers: `c.get('principal').workspaceId` scopes every query; throw `ApiError` (or
 *    `notFound('Flow')`) for errors; lists return `toPage(...)` from `worker/http/pagination.ts`.
 * 4. Add the route to `test/worker/admin-openapi.test.ts` (the SPEC 3.4 route list).
 */
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { flowJsonSchema } from '../../../shared/flow/json-schema.ts';
import { adminAuth } from '../../auth/admin-auth.ts';
import { adminRouter } from '../../http/openapi.ts';
import { MAX_BODY_BYTES } from '../../http/parse.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { conversationRoutes } from './conversations.ts';
import { devRoutes } from './dev.ts';
import { enrollmentRoutes } from './enrollments.ts';
import { flowToolRoutes } from './flow-tools.ts';
import { flowVersionRoutes } from './flow-versions.ts';
import { flowRoutes } from './flows.ts';
import { insightRoutes } from './insights.ts';
import { liveRoutes } from './live.ts';
import { peopleRoutes } from './people.ts';
import { pilotItemRoutes } from './pilot-items.ts';
import { pilotRoutes } from './pilots.ts';
import { presenceRoutes } from './presence.ts';
import { privacyRoutes } from './privacy.ts';
import { recordRoutes } from './records.ts';

export const adminApp = adminRouter();

adminApp.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  description: 'An API key: the bootstrap ADMIN_API_KEY or one created with POST /api-keys',
});
// The flow format, generated from `flowSchema` (zod's JSON Schema output is 2020-12, as 3.1 uses).
adminApp.openAPIRegistry.registerComponent('schemas', 'Flow', flowJsonSchema() as never);

// Public: the API description and its docs page (registered before auth, so auth skips them).
adminApp.doc31('/openapi.json', (c) => ({
  openapi: '3.1.0',
  info: {
    title: 'edgepilot admin API',
    version: '1',
    description:
      'Errors are `{ error: { code, message, issues? } }`; lists are `{ items, nextCursor }` with `?limit=&cursor=`.',
  },
  // Absolute, from the request: whatever host serves this document serves the API.
  servers: [{ url: `${new URL(c.req.url).origin}/v1/admin` }],
  security: [{ bearerAuth: [] }],
}));
// Swagger UI's files come from our own assets (copied by the build), never from a CDN.
adminApp.get(
  '/docs',
  swaggerUI({ url: '/v1/admin/openapi.json', title: 'edgepilot admin API', baseUrl: '/vendor' }),
);

adminApp.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES }));
adminApp.use('*', adminAuth);

adminApp
  .route('/', devRoutes)
  .route('/', apiKeyRoutes)
  .route('/', pilotRoutes)
  .route('/', pilotItemRoutes)
  .route('/', flowRoutes)
  .route('/', flowVersionRoutes)
  .route('/', flowToolRoutes)
  .route('/', peopleRoutes)
  .route('/', recordRoutes)
  .route('/', presenceRoutes)
  .route('/', conversationRoutes)
  .route('/', enrollmentRoutes)
  .route('/', insightRoutes)
  .route('/', liveRoutes)
  .route('/', privacyRoutes);
