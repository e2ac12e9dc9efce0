import { describe, expect, it } from 'vitest';
import { call, seed } from '../helpers/admin.ts';

describe('admin API authentication and validation', () => {
  it('refuses a request without a bearer key with 401 and the error shape', async () => {
    const response = await call('/v1/admin/flows/flow_demo_welcome', { key: null });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('seeds the demo pilot idempotently: a second seed adds no flow version or article', async () => {
    const first = await seed();
    const second = await seed();
    expect(second).toEqual(first);
    const versions = (await (await call(`/v1/admin/flows/${first.flowId}/versions`)).json()) as {
      items: unknown[];
    };
    expect(versions.items).toHaveLength(1);
    const articles = (await (await call(`/v1/admin/pilots/${first.pilotId}/knowledge`)).json()) as {
      items: { url: string }[];
    };
    expect(articles.items.map((a) => a.url)).toContain('http://edgepilot.test/help.html#shipping');
    expect(articles.items).toHaveLength(3);
  });

  it('refuses a wrong key with 401', async () => {
    const response = await call('/v1/admin/flows/flow_demo_welcome', { key: 'not-the-key' });
    expect(response.status).toBe(401);
  });

  it('rejects an invalid flow with 400 naming each invalid field', async () => {
    const { pilotId } = await seed();
    const response = await call('/v1/admin/flows', {
      method: 'POST',
      body: JSON.stringify({
        schemaVersion: 1,
        name: '',
        pilotId,
        trigger: { type: 'page_visited' },
        start: 'a',
        nodes: [{ id: 'a', type: 'send_message' }],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('invalid_input');
    const paths = body.error.issues.map((i) => i.path);
    expect(paths).toContain('name');
    expect(paths).toContain('nodes.0.text');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await call('/v1/admin/flows', { method: 'POST', body: '{"schemaVersion":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_input' } });
  });
});

describe('publishing a flow', () => {
  it('numbers versions 1, 2, … and serves the draft with an ETag', async () => {
    const { pilotId } = await seed();
    const created = await call('/v1/admin/flows', {
      method: 'POST',
      body: JSON.stringify({
        schemaVersion: 1,
        name: 'Event hello',
        pilotId,
        trigger: { type: 'event', name: 'signed_up' },
        start: 'hi',
        nodes: [{ id: 'hi', type: 'send_message', text: 'Welcome aboard!' }],
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const first = await call(`/v1/admin/flows/${id}/publish`, {
      method: 'POST',
      body: JSON.stringify({ note: 'first' }),
    });
    const second = await call(`/v1/admin/flows/${id}/publish`, { method: 'POST', body: '{}' });
    expect(((await first.json()) as { version: number }).version).toBe(1);
    expect(((await second.json()) as { version: number }).version).toBe(2);
    const read = await call(`/v1/admin/flows/${id}`);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(await read.json()).toMatchObject({ id, publishedVersion: 2 });
  });
});
