import { describe, expect, it } from 'vitest';
import { fixture, routeCases } from './admin-catalog.ts';
import { request, workspace } from './admin-fixtures.ts';

interface ErrorShape {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

describe('every admin route', () => {
  it('succeeds for its own workspace with a valid request', async () => {
    const fx = await fixture();
    for (const c of routeCases(fx)) {
      const res = await fx.ws.call(c.path, { method: c.method, body: c.body });
      expect(`${c.route} -> ${res.status}`).toMatch(/ -> 20[01]$/);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
  });

  it('refuses a missing or wrong key with 401 and the error shape', async () => {
    const fx = await fixture();
    for (const c of routeCases(fx)) {
      for (const key of [null, 'ep_not_a_real_key']) {
        const res = await request(c.path, { method: c.method, body: c.body }, key);
        expect(`${c.route} -> ${res.status}`).toBe(`${c.route} -> 401`);
        expect(((await res.json()) as ErrorShape).error.code).toBe('unauthorized');
      }
    }
  });

  it('refuses changes with a read-only key (403) and serves reads to it', async () => {
    const fx = await fixture();
    for (const c of routeCases(fx)) {
      const res = await fx.ws.call(c.path, { method: c.method, body: c.body, key: fx.ws.readKey });
      if (c.writes) {
        expect(`${c.route} -> ${res.status}`).toBe(`${c.route} -> 403`);
        expect(((await res.json()) as ErrorShape).error.code).toBe('forbidden');
      } else {
        expect(`${c.route} -> ${res.status}`).toMatch(/ -> 200$/);
      }
    }
  });

  it('answers 404 to another workspace for everything it owns, and lists none of it', async () => {
    const fx = await fixture();
    const other = await workspace();
    const ids = [
      fx.pilotId,
      fx.flowId,
      fx.contactId,
      fx.userId,
      fx.teamId,
      fx.companyId,
      fx.keyId,
      ...Object.values(fx.items),
    ];
    for (const c of routeCases(fx)) {
      const res = await other.call(c.path, { method: c.method, body: c.body });
      const text = await res.text();
      const references = ids.some((id) => `${c.path} ${JSON.stringify(c.body ?? '')}`.includes(id));
      if (references) {
        expect(`${c.route} -> ${res.status}`).toBe(`${c.route} -> 404`);
        expect(JSON.parse(text)).toMatchObject({ error: { code: 'not_found' } });
      } else {
        // Workspace-wide lists and creates work, in the caller's own workspace only.
        expect(`${c.route} -> ${res.status}`).toMatch(/ -> 20[01]$/);
        for (const id of ids) expect(text).not.toContain(id);
      }
    }
    // And nothing of the fixture changed.
    const flow = await fx.ws.json<{ revision: number; publishedVersion: number }>(
      `/flows/${fx.flowId}`,
    );
    expect(flow.body).toMatchObject({ revision: 1, publishedVersion: 1 });
    const pilot = await fx.ws.json<{ persona: string }>(`/pilots/${fx.pilotId}`);
    expect(pilot.body.persona).toBe('');
  });

  it('answers invalid input with 400 naming the invalid field', async () => {
    const fx = await fixture();
    for (const c of routeCases(fx)) {
      if (!c.invalid) continue;
      const path = c.invalid.query ? `${c.path.split('?')[0]}?${c.invalid.query}` : c.path;
      const res = await fx.ws.call(path, { method: c.method, body: c.invalid.body });
      expect(`${c.route} -> ${res.status}`).toBe(`${c.route} -> 400`);
      const body = (await res.json()) as ErrorShape;
      expect(body.error.code).toBe('invalid_input');
      expect(body.error.issues?.map((i) => i.path)).toContain(c.invalid.path);
    }
  });
});
