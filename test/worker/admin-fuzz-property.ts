/**
 * Property-based fuzzing (fast-check) of every JSON admin route: arbitrary bodies (random JSON,
 * the route's valid body with one field at any depth replaced or removed, `__proto__` keys,
 * non-JSON text), query strings (known and random keys, malformed percent-escapes), headers
 * (content types, If-Match, encodings) and path ids. Whatever arrives, the answer is a success
 * or a 4xx with the error shape — never a 5xx — and a rejected request leaves the workspace's
 * stored state (every D1 row it owns, the pilot's KV snapshot) exactly as it was. Run by
 * test/worker/admin-fuzz.test.ts (a few cases per route) and test/security/admin-fuzz.test.ts
 * (100 per route, production configuration).
 */
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Fixture,
  fixture,
  type RouteCase,
  routeCases,
  runtimeCases,
} from './admin-catalog.ts';
import { addKey, request } from './admin-fixtures.ts';

/** Every route, runtime ones before the catalog's deletes (which remove what others use). */
function allCases(fx: Fixture): RouteCase[] {
  const cases = routeCases(fx);
  const firstDelete = cases.findIndex((c) => c.method === 'DELETE');
  return [...cases.slice(0, firstDelete), ...runtimeCases(fx), ...cases.slice(firstDelete)];
}

// ---- arbitraries ----------------------------------------------------------------------

const json = fc.jsonValue({ maxDepth: 3 });

/** Every path into `value` (object keys and array indexes), up to a depth. */
function pathsOf(
  value: unknown,
  depth = 4,
  prefix: (string | number)[] = [],
): (string | number)[][] {
  if (depth === 0 || value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => [
    [...prefix, key],
    ...pathsOf((value as Record<string | number, unknown>)[key], depth - 1, [...prefix, key]),
  ]);
}

/** The valid body with the value at one path replaced by random JSON, or removed. */
function mutated(valid: unknown): fc.Arbitrary<string> {
  const paths = pathsOf(valid);
  if (paths.length === 0) return json.map((v) => JSON.stringify(v));
  return fc
    .tuple(fc.constantFrom(...paths), json, fc.boolean())
    .map(([path, replacement, remove]) => {
      const copy = structuredClone(valid) as Record<string | number, unknown>;
      let parent = copy;
      for (const key of path.slice(0, -1)) parent = parent[key] as typeof parent;
      const last = path.at(-1)!;
      if (remove && Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (remove) delete parent[last];
      else parent[last] = replacement;
      return JSON.stringify(copy);
    });
}

function bodyOf(c: RouteCase): fc.Arbitrary<string | undefined> {
  if (c.method === 'GET') return fc.constant(undefined);
  const valid = c.body ?? {};
  return fc.oneof(
    { arbitrary: mutated(valid), weight: 4 },
    { arbitrary: json.map((v) => JSON.stringify(v)), weight: 2 },
    // A `__proto__` key must not reach an object's prototype.
    {
      arbitrary: json.map(
        (v) => `{"__proto__":${JSON.stringify(v)},${JSON.stringify(valid).slice(1)}`,
      ),
      weight: 1,
    },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const QUERY_KEYS = ['limit', 'cursor', 'pilotId', 'kind', 'from', 'to', 'q', 'status', 'version'];
const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer().map(String),
  fc.constantFrom('', '-1', '0', '101', '1e309', 'NaN', '99999999999999999999', 'draft', 'deal'),
);
const query = fc.oneof(
  fc
    .dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), queryValue, {
      maxKeys: 4,
    })
    .map((d) => new URLSearchParams(d).toString()),
  // Raw: malformed percent-escapes, repeated keys, brackets.
  fc.stringMatching(/^[a-z0-9=&%[\]._-]{0,30}$/),
);

const printable = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
/** Any header name a client may send, except those that frame the request or carry the key. */
const FRAMING = [
  'authorization',
  'content-length',
  'transfer-encoding',
  'host',
  'upgrade',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'expect',
];
const anyHeader = fc
  .stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/)
  .filter((name) => !FRAMING.includes(name));
const namedHeaders = fc.record(
  {
    // Mostly JSON, so bodies get past the content-type check and into validation.
    'content-type': fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 6 },
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        '',
      ),
      { arbitrary: printable, weight: 1 },
    ),
    'if-match': fc.oneof(fc.constantFrom('"1"', '"2"', '*', 'W/"1"', '"1", "9"'), printable),
    accept: printable,
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
    'x-http-method-override': fc.constantFrom('DELETE', 'PUT', 'GET'),
  },
  { requiredKeys: [] },
);
const headers = fc
  .tuple(namedHeaders, fc.dictionary(anyHeader, printable, { maxKeys: 3 }))
  .map(([named, extra]) => ({ ...extra, ...named }) as Record<string, string>);

/** Replaces one id segment of the path with random text (URL-encoded). */
function pathOf(c: RouteCase): fc.Arbitrary<string> {
  const [base = '', search] = c.path.split('?');
  const segments = base.split('/');
  const idAt = segments.flatMap((s, i) => (/_/.test(s) ? [i] : []));
  const withSearch = (path: string) => (search ? `${path}?${search}` : path);
  if (idAt.length === 0) return fc.constant(withSearch(base));
  return fc
    .oneof(
      { arbitrary: fc.constant(base), weight: 3 },
      {
        arbitrary: fc
          .tuple(fc.constantFrom(...idAt), fc.string({ minLength: 1, maxLength: 30 }))
          .map(([i, text]) =>
            segments.map((s, j) => (j === i ? encodeURIComponent(text) : s)).join('/'),
          ),
        weight: 1,
      },
    )
    .map(withSearch);
}

// ---- stored state ---------------------------------------------------------------------

const WORKSPACE_TABLES = [
  'api_keys',
  'pilots',
  'flows',
  'pilot_items',
  'contacts',
  'users',
  'teams',
  'records',
  'outbox',
  'presence',
  'conversations',
  'enrollments',
];

/** Everything the workspace has stored, as one comparable string (one D1 round trip). */
async function storedState(fx: Fixture): Promise<string> {
  const ws = fx.ws.id;
  const rows = await env.DB.batch([
    ...WORKSPACE_TABLES.map((table) =>
      env.DB.prepare(`SELECT * FROM ${table} WHERE workspace_id = ? ORDER BY 1, 2`).bind(ws),
    ),
    env.DB.prepare(
      'SELECT * FROM flow_versions WHERE flow_id IN (SELECT id FROM flows WHERE workspace_id = ?) ORDER BY flow_id, version',
    ).bind(ws),
  ]);
  const snapshot = await env.SNAPSHOTS.get(`snapshot:${fx.publicKey}`);
  return JSON.stringify([rows.map((r) => r.results), snapshot]);
}

// ---- the property ---------------------------------------------------------------------

interface Sent {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * Sends `numRuns` arbitrary requests to the route. Every answer must be a success or a 4xx JSON
 * error; for one case in `stateEvery` the stored state is read before and after, and a rejected
 * request must leave it exactly as it was (reading it costs more than the request itself).
 */
async function fuzzRoute(
  fx: Fixture,
  c: RouteCase,
  numRuns: number,
  stateEvery: number,
): Promise<void> {
  const routeKey = await addKey(fx.ws.id, 'fuzz', ['read', 'write']);
  const sample = fc.record({
    path: pathOf(c),
    query,
    headers,
    body: bodyOf(c),
  });
  let index = 0;
  await fc.assert(
    fc.asyncProperty(sample, async (sent: Sent) => {
      const checkState = index++ % stateEvery === 0;
      // Made before the state is read: a new key is a row of the workspace.
      const key = c.quotaPerKey ? await addKey(fx.ws.id, 'fuzz', ['read', 'write']) : routeKey;
      const before = checkState ? await storedState(fx) : '';
      const url = sent.query
        ? `${sent.path}${sent.path.includes('?') ? '&' : '?'}${sent.query}`
        : sent.path;
      const response = await fx.ws.call(url, {
        method: c.method,
        key,
        headers: sent.headers,
        ...(sent.body === undefined ? {} : { raw: sent.body }),
      });
      const text = await response.text();
      const what = `${c.route} ${JSON.stringify(sent)} -> ${response.status} ${text.slice(0, 300)}`;
      expect(response.status, what).toBeLessThan(500);
      expect(response.status, `rate limited, so nothing was tested: ${what}`).not.toBe(429);
      if (response.status < 400) return;
      expect(response.headers.get('content-type'), what).toContain('application/json');
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      expect(typeof body.error?.code, what).toBe('string');
      expect(typeof body.error?.message, what).toBe('string');
      if (checkState)
        expect(await storedState(fx), `stored state changed after ${what}`).toBe(before);
    }),
    // A failure prints its seed and path: pass `{ seed, path }` here to replay it.
    { numRuns },
  );
}

/**
 * Registers the fuzz tests: `numRuns` cases per route, the routes split over `parts` tests.
 * Each route gets a fresh API key, so the per-key rate limit (600/min) never answers for the
 * API: a 429 fails the property, since a rate-limited case tests nothing.
 */
export function describeAdminFuzz(options: {
  numRuns: number;
  stateEvery: number;
  parts: number;
  timeoutMs: number;
}): void {
  const { numRuns, stateEvery, parts, timeoutMs } = options;
  describe(`every JSON admin route under arbitrary input (${numRuns} cases per route)`, () => {
    it('fuzzes every operation the OpenAPI document lists (but the WebSocket and the dev seed)', async () => {
      const fx = await fixture();
      const doc = (await (await request('/openapi.json')).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method} ${path}`),
      );
      const fuzzed = new Set(allCases(fx).map((c) => c.route));
      const missing = documented.filter(
        (route) => !fuzzed.has(route) && !['get /live/socket', 'post /dev/seed'].includes(route),
      );
      expect(missing).toEqual([]);
    });

    for (let part = 0; part < parts; part++) {
      it(
        `answers success or a 4xx JSON error, never a 5xx, and changes nothing when it rejects (routes part ${part + 1} of ${parts})`,
        async () => {
          // A workspace per part: its own data.
          const fx = await fixture();
          const cases = allCases(fx);
          const size = Math.ceil(cases.length / parts);
          for (const c of cases.slice(part * size, (part + 1) * size)) {
            await fuzzRoute(fx, c, numRuns, stateEvery);
          }
        },
        timeoutMs,
      );
    }
  });
}
