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
 *    `notFound('Flow')`) for errors. SQL lives in `worker/store/` functions, never in a route;
 *    lists return their page (`toPage(...)` in `worker/store/keyset.ts`).
 * 4. Add the route to `test/worker/admin-openapi.test.ts` (the SPEC 3.4 route list).
 */
import { swaggerUI } from '@hono/swagger-ui';
import { bodyLimit } from 'hono/body-limit';
import { ErrorCode } from '../../../shared/errors.ts';
import { flowJsonSchema } from '../../../shared/flow/json-schema.ts';
import { adminAuth } from '../../auth/admin-auth.ts';
import { errorBody } from '../../http/api-error.ts';
import { docsCsp } from '../../http/docs-csp.ts';
import { adminRouter, schemaComponents } from '../../http/openapi.ts';
import { MAX_BODY_BYTES } from '../../http/parse.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { companyRoutes } from './companies.ts';
import { conversationRoutes } from './conversations.ts';
import { devRoutes } from './dev.ts';
import { enrollmentRoutes } from './enrollments.ts';
import { flowToolRoutes } from './flow-tools.ts';
import { flowVersionRoutes } from './flow-versions.ts';
import { flowRoutes } from './flows.ts';
import { insightRoutes } from './insights.ts';
import { insightTimelineRoutes } from './insights-timeline.ts';
import { liveRoutes } from './live.ts';
import { peopleRoutes } from './people.ts';
import { pilotAskRoutes } from './pilot-ask.ts';
import { pilotClassifyRoutes } from './pilot-classify.ts';
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
// The flow format, generated from `flowSchema` (zod's JSON Schema output is 2020-12, as 3.1 uses);
// its shared definitions (the recursive FlowCondition) become components of their own.
for (const [name, schema] of Object.entries(schemaComponents('Flow', flowJsonSchema())))
  adminApp.openAPIRegistry.registerComponent('schemas', name, schema as never);

// Public: the API description and its docs page (registered before auth, so auth skips them).
adminApp.doc31('/openapi.json', () => ({
  openapi: '3.1.0',
  info: {
    title: 'edgepilot admin API',
    version: '1',
    license: { name: 'MIT', identifier: 'MIT' },
    description:
      'Errors are `{ error: { code, message, issues? } }`; lists are `{ items, nextCursor }` with `?limit=&cursor=`.',
  },
  // Relative: resolved against wherever this document was fetched from. Never built from the
  // request's Host header, which a client (or a poisoned cache) chooses.
  servers: [{ url: '/v1/admin' }],
  security: [{ bearerAuth: [] }],
}));
// Swagger UI's files come from our own assets (copied by the build), never from a CDN.
adminApp.get(
  '/docs',
  docsCsp,
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
  .route('/', companyRoutes)
  .route('/', recordRoutes)
  .route('/', presenceRoutes)
  .route('/', conversationRoutes)
  .route('/', enrollmentRoutes)
  .route('/', insightRoutes)
  .route('/', insightTimelineRoutes)
  .route('/', liveRoutes)
  .route('/', pilotAskRoutes)
  .route('/', pilotClassifyRoutes)
  .route('/', privacyRoutes);

/** Methods each admin path answers, from the registered routes: `[pattern, METHOD]`. */
let routeTable: [RegExp, string][] | null = null;
function allowedMethods(path: string): string[] {
  routeTable ??= adminApp.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => {
      const escaped = r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+');
      return [new RegExp(`^${escaped}$`), r.method];
    });
  const methods = new Set(routeTable.filter(([re]) => re.test(path)).map(([, m]) => m));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}

// Last: reached only when no route answered. A known path with another method is a 405 naming
// the methods it serves (RFC 9110 §15.5.6), so clients and fuzzers can tell it from a typo.
adminApp.all('*', (c) => {
  const mount = c.req.routePath.replace(/\/\*$/, '');
  const allowed = allowedMethods(c.req.path.slice(mount.length) || '/');
  if (allowed.length === 0) return c.json(errorBody(ErrorCode.notFound, 'Not found'), 404);
  const message = `${c.req.method} is not allowed here; use ${allowed.join(', ')}`;
  return c.json(errorBody(ErrorCode.methodNotAllowed, message), 405, {
    allow: allowed.join(', '),
  });
});
