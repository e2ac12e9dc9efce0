/**
 * HTTP semantics of the admin API that clients and API fuzzers rely on: 405 with `Allow` for a
 * method a known path does not serve, unknown query parameters refused by name on every list
 * route, query parameters documented exactly as accepted (no `null` the API refuses), and the
 * docs page under a Content-Security-Policy.
 */
import { describe, expect, it } from 'vitest';
import { fixture, routeCases, runtimeCases } from './admin-catalog.ts';
import { request } from './admin-fixtures.ts';

interface Doc {
  paths: Record<
    string,
    Record<string, { operationId?: string; parameters?: { name: string; schema: unknown }[] }>
  >;
}

const doc = async () => (await (await request('/openapi.json')).json()) as Doc;
const methods = (allow: string | null) => new Set((allow ?? '').split(',').map((m) => m.trim()));

describe('admin API HTTP semantics', () => {
  it('answers 405 with Allow for a method a known path does not serve, 404 for unknown paths', async () => {
    const fx = await fixture();
    const cases: [string, string, string[]][] = [
      ['PATCH', `/flows/${fx.flowId}`, ['GET', 'HEAD', 'PUT', 'DELETE']],
      ['DELETE', '/flows', ['GET', 'HEAD', 'POST']],
      ['GET', `/flows/${fx.flowId}/publish`, ['POST']],
      ['POST', '/schema/flow.json', ['GET', 'HEAD']],
      ['OPTIONS', `/pilots/${fx.pilotId}`, ['GET', 'HEAD', 'PATCH', 'DELETE']],
    ];
    for (const [method, path, allowed] of cases) {
      const response = await fx.ws.call(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(methods(response.headers.get('allow')), `${method} ${path}`).toEqual(new Set(allowed));
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('method_not_allowed');
      expect(body.error.message).toContain(allowed[0]);
    }
    const unknown = await fx.ws.call('/flowz');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    // Without a key, the key is checked first: a 405 says nothing to a stranger.
    expect((await fx.ws.call('/flows', { method: 'DELETE', key: null })).status).toBe(401);
  });

  it('refuses an unknown query parameter on every list route with a 400 naming it', async () => {
    const fx = await fixture();
    const lists = (await doc()).paths;
    const listRoutes = new Set(
      Object.entries(lists).flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op.operationId?.startsWith('list'))
          .map(([method]) => `${method} ${path}`),
      ),
    );
    const cases = [...routeCases(fx), ...runtimeCases(fx)].filter((c) => listRoutes.has(c.route));
    expect(cases.map((c) => c.route).sort()).toEqual([...listRoutes].sort());
    expect(cases.length).toBeGreaterThanOrEqual(12);
    for (const c of cases) {
      const sep = c.path.includes('?') ? '&' : '?';
      const known = await fx.ws.call(c.path);
      expect(known.status, c.route).toBe(200);
      const response = await fx.ws.call(`${c.path}${sep}sort=desc&pilot=x`);
      expect(response.status, c.route).toBe(400);
      const body = (await response.json()) as { error: { issues: { path: string }[] } };
      expect(body.error.issues.map((i) => i.path).sort(), c.route).toEqual([
        'query.pilot',
        'query.sort',
      ]);
    }
  });

  it('documents time filters as integers, and refuses what it does not document (from=null)', async () => {
    const fx = await fixture();
    const paths = (await doc()).paths;
    for (const [path, name] of [
      ['/flows/{flowId}/enrollments', 'from'],
      ['/flows/{flowId}/enrollments', 'to'],
      ['/flows/{flowId}/insights', 'from'],
    ] as const) {
      const param = paths[path]?.get?.parameters?.find((p) => p.name === name);
      expect(param?.schema, `${path} ${name}`).toMatchObject({ type: 'integer', minimum: 0 });
    }
    for (const route of ['enrollments', 'insights']) {
      const response = await fx.ws.call(`/flows/${fx.flowId}/${route}?from=null`);
      expect(response.status, route).toBe(400);
      const body = (await response.json()) as { error: { issues: { path: string }[] } };
      expect(body.error.issues.map((i) => i.path)).toEqual(['query.from']);
      expect((await fx.ws.call(`/flows/${fx.flowId}/${route}?from=0`)).status).toBe(200);
    }
  });

  it('serves the docs page under a CSP that allows only its own scripts', async () => {
    const response = await request('/docs');
    expect(response.status).toBe(200);
    const html = await response.text();
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
    // The one inline script (Swagger UI's bootstrap) is allowed by its hash, nothing else.
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(inline).toHaveLength(1);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(inline[0]));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    const scriptSrc = policy.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe(`script-src 'self' 'sha256-${hash}'`);
  });

  it('names its server relatively, whatever Host the request carries', async () => {
    const response = await request('/openapi.json', { headers: { host: 'evil.example' } });
    const body = (await response.json()) as { servers: unknown };
    expect(body.servers).toEqual([{ url: '/v1/admin' }]);
  });
});
