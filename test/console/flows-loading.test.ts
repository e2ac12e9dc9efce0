import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../console/api/client.ts';
import { loadFlowsAndPilots, MAX_LISTED_FLOWS } from '../../console/flows/use-flows.ts';

// A real HTTP server standing in for an API that never stops paging (a bug, or a hostile
// proxy): the console must stop on its own bound.
let server: Server;
let base = '';
let flowRequests = 0;
let lastAuth = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    lastAuth = req.headers.authorization ?? '';
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/v1/admin/pilots') {
      res.end(JSON.stringify({ items: [{ id: 'pilot_a', name: 'A' }], nextCursor: null }));
      return;
    }
    if (url.pathname === '/v1/admin/flows') {
      flowRequests++;
      const page = flowRequests;
      const items = Array.from({ length: 100 }, (_, i) => ({
        id: `flow_${page}_${i}`,
        pilotId: 'pilot_a',
        revision: 1,
        publishedVersion: null,
        createdAt: 0,
        updatedAt: 0,
        draft: { name: `Flow ${page}.${i}` },
      }));
      res.end(JSON.stringify({ items, nextCursor: `c${page}` }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/admin`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('flows list loading', () => {
  it('stops paging at its bound and says the list is truncated', async () => {
    const result = await loadFlowsAndPilots(createApiClient('key_123', base));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.flows).toHaveLength(MAX_LISTED_FLOWS);
    expect(result.data.truncated).toBe(true);
    expect(flowRequests).toBe(MAX_LISTED_FLOWS / 100);
    expect(lastAuth).toBe('Bearer key_123');
  });

  it('turns an error response into a failure naming its code', async () => {
    const result = await loadFlowsAndPilots(createApiClient('key_123', `${base}/nowhere`));
    expect(result).toMatchObject({ ok: false, failure: { status: 404, code: 'not_found' } });
  });
});
