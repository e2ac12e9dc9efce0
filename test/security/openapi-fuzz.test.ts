/**
 * An OpenAPI-driven fuzzer (in the manner of schemathesis) for every flow route, configured as
 * production: requests are generated from the served `/v1/admin/openapi.json` itself — bodies
 * from each operation's request schema (the Flow document with its FlowCondition recursion,
 * publish notes, simulate scripts), query and path parameters from their schemas, sometimes
 * with one field replaced by arbitrary JSON. 100 cases per operation. Whatever is sent, the
 * answer is a success or a 4xx with the error shape: never a 5xx, never a 429 (each route has
 * its own key, so a rate limit cannot hide what was tested).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Fixture, fixture } from '../worker/admin-catalog.ts';
import { addKey, request } from '../worker/admin-fixtures.ts';
import { type JsonSchema, schemaArbitrary } from './json-schema-arbitrary.ts';

const NUM_RUNS = 100;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface Sent {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Replaces the value at one random path of `value` with arbitrary JSON (or removes it). */
function mutate(value: unknown, choice: number, replacement: unknown): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = Object.keys(copy);
  if (keys.length === 0) return replacement;
  const key = keys[choice % keys.length] as string;
  if (choice % 3 === 0) delete copy[key];
  else copy[key] = mutate(copy[key], Math.floor(choice / 3), replacement);
  return copy;
}

/** Parameters naming a resource: mostly the fixture's ids (so requests reach the handler), sometimes any. */
function paramArbitrary(p: Parameter, fx: Fixture, components: Doc['components']['schemas']) {
  const known: Record<string, unknown> = { flowId: fx.flowId, pilotId: fx.pilotId, version: 1 };
  const generated = schemaArbitrary(p.schema, components).map((v) => String(v));
  return p.name in known
    ? fc.oneof({ arbitrary: fc.constant(String(known[p.name])), weight: 6 }, generated)
    : generated;
}

function requestArbitrary(
  path: string,
  op: Operation,
  fx: Fixture,
  components: Doc['components']['schemas'],
): fc.Arbitrary<Sent> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const optional = (p: Parameter, arb: fc.Arbitrary<unknown>) =>
    p.required
      ? arb.map((v) => [p.name, String(v)] as const)
      : fc.option(
          arb.map((v) => [p.name, String(v)] as const),
          { nil: undefined },
        );
  const query = fc
    .tuple(
      ...params
        .filter((p) => p.in === 'query')
        .map((p) => optional(p, paramArbitrary(p, fx, components))),
    )
    .map((pairs) =>
      new URLSearchParams(pairs.filter((x) => x !== undefined) as [string, string][]).toString(),
    );
  const headers = fc
    .tuple(
      ...params
        .filter((p) => p.in === 'header')
        .map((p) =>
          optional(
            p,
            fc.oneof(fc.constantFrom('"1"', '"2"', '*'), schemaArbitrary(p.schema, components)),
          ),
        ),
    )
    .map((pairs) => Object.fromEntries(pairs.filter((x) => x !== undefined) as [string, string][]));
  const resolved = fc
    .tuple(...pathParams.map((p) => paramArbitrary(p, fx, components)))
    .map((values) =>
      pathParams.reduce(
        (acc, p, i) => acc.replace(`{${p.name}}`, encodeURIComponent(values[i] as string)),
        path,
      ),
    );
  const schema = op.requestBody?.content['application/json'].schema;
  const valid = schema ? schemaArbitrary(schema, components) : fc.constant(undefined);
  // A generated flow names a pilot: mostly the fixture's, so the request gets past the lookup.
  const withPilot = fc
    .tuple(valid, fc.boolean())
    .map(([body, ownPilot]) =>
      ownPilot && body && typeof body === 'object' && 'pilotId' in body
        ? { ...body, pilotId: fx.pilotId }
        : body,
    );
  const body = schema
    ? fc.oneof(
        { arbitrary: withPilot, weight: 3 },
        {
          arbitrary: fc
            .tuple(withPilot, fc.nat(), fc.jsonValue({ maxDepth: 2 }))
            .map(([b, n, r]) => mutate(b, n, r)),
          weight: 1,
        },
      )
    : fc.constant(undefined);
  return fc.record({ path: resolved, query, headers, body });
}

const doc = async () => (await (await request('/openapi.json')).json()) as Doc;

/** The flow operations, simulate first (it runs the fixture's draft, before PUT rewrites it) and deletes last. */
async function flowOperations() {
  const { paths } = await doc();
  const ops = Object.entries(paths)
    .filter(([path]) => path.startsWith('/flows'))
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
  const rank = (o: { method: string; op: Operation }) =>
    o.op.operationId === 'simulateFlow' ? 0 : o.method === 'delete' ? 2 : 1;
  return ops.sort((a, b) => rank(a) - rank(b));
}

describe('OpenAPI-driven fuzzing of the flow routes', () => {
  it('covers every flow operation of the document, each with an operationId', async () => {
    const ops = await flowOperations();
    expect(ops.length).toBeGreaterThanOrEqual(16);
    for (const { op } of ops) expect(op.operationId).toMatch(/^[a-z]\w+$/);
  });

  it(`answers ${NUM_RUNS} schema-generated requests per operation with a success or a 4xx JSON error`, async () => {
    const fx = await fixture();
    const { components } = await doc();
    for (const { path, method, op } of await flowOperations()) {
      const key = await addKey(fx.ws.id, `openapi-fuzz-${op.operationId}`, ['read', 'write']);
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requestArbitrary(path, op, fx, components.schemas), async (sent) => {
          const url = sent.query ? `${sent.path}?${sent.query}` : sent.path;
          const response = await fx.ws.call(url, {
            method: method.toUpperCase(),
            key,
            headers: sent.headers,
            ...(sent.body === undefined ? {} : { body: sent.body }),
          });
          const text = await response.text();
          const what = `${op.operationId} ${JSON.stringify(sent).slice(0, 600)} -> ${response.status} ${text.slice(0, 300)}`;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status, what).toBeLessThan(500);
          expect(response.status, `rate limited, so nothing was tested: ${what}`).not.toBe(429);
          if (response.status >= 400) {
            expect(response.headers.get('content-type'), what).toContain('application/json');
            const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } })
              .error;
            expect(typeof error?.code, what).toBe('string');
            expect(typeof error?.message, what).toBe('string');
          }
        }),
        // A failure prints its seed and path: pass `{ seed, path }` here to replay it.
        { numRuns: NUM_RUNS },
      );
      // Schema-generated input must get past validation some of the time, or the fuzzer only
      // tested the 400 path (deletes and one-shot actions excepted: a second call is a 4xx).
      if (method === 'get' || op.operationId.startsWith('validate'))
        expect(
          [...statuses.keys()].some((s) => s < 300),
          `${op.operationId} ${JSON.stringify([...statuses])}`,
        ).toBe(true);
    }
  }, 600_000);
});
