import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { flowJsonSchema } from '../../shared/flow/json-schema.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import { sampleFlow, workspaceWithFlow } from './admin-fixtures.ts';

interface FlowView {
  id: string;
  revision: number;
  publishedVersion: number | null;
  draft: { nodes: { id: string; text?: string }[] };
}

const target = inject('httpTarget');

const snapshot = (publicKey: string) =>
  env.SNAPSHOTS.get<PilotSnapshot>(`snapshot:${publicKey}`, 'json');

describe('flow drafts with ETag and If-Match', () => {
  it('saves with the current ETag and refuses a stale one with 412, keeping the newer draft', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const read = await ws.json<FlowView>(`/flows/${flowId}`);
    const etag = read.headers.get('etag')!;
    expect(etag).toBe('"1"');

    const first = await ws.json<FlowView>(`/flows/${flowId}`, {
      method: 'PUT',
      headers: { 'if-match': etag },
      body: sampleFlow(pilot.id, 'First edit'),
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');

    const stale = await ws.json(`/flows/${flowId}`, {
      method: 'PUT',
      headers: { 'if-match': etag },
      body: sampleFlow(pilot.id, 'Lost edit'),
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ error: { code: 'precondition_failed' } });
    const after = await ws.json<FlowView>(`/flows/${flowId}`);
    expect(after.body.draft.nodes[0]?.text).toBe('First edit');
    expect(after.body.revision).toBe(2);
  });

  it('refuses a stale delete with 412 and keeps the flow', async () => {
    const { ws, flowId, pilot } = await workspaceWithFlow();
    await ws.call(`/flows/${flowId}`, { method: 'PUT', body: sampleFlow(pilot.id, 'v2') });
    const res = await ws.call(`/flows/${flowId}`, {
      method: 'DELETE',
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(412);
    expect((await ws.call(`/flows/${flowId}`)).status).toBe(200);
  });

  it('refuses to move a draft to another pilot', async () => {
    const { ws, flowId } = await workspaceWithFlow();
    const other = await ws.json<{ id: string }>('/pilots', {
      method: 'POST',
      body: { name: 'Other' },
    });
    const res = await ws.json<{ error: { issues: { path: string }[] } }>(`/flows/${flowId}`, {
      method: 'PUT',
      body: sampleFlow(other.body.id),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i) => i.path)).toEqual(['pilotId']);
  });

  it('refuses a wait node at save (POST and PUT) with a 400 naming the node and why', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const withWait = {
      ...sampleFlow(pilot.id),
      nodes: [
        { id: 'hi', type: 'send_message', text: 'Hi', next: 'w1' },
        { id: 'w1', type: 'wait', seconds: 3600 },
      ],
    };
    const expected = {
      code: 'invalid_input',
      message: 'Invalid flow',
      issues: [
        {
          path: 'nodes.1.type',
          message: 'Time-based delays (wait) are not available in execution flows (node w1)',
        },
      ],
    };
    const created = await ws.json('/flows', { method: 'POST', body: withWait });
    expect(created.status).toBe(400);
    expect(created.body).toEqual({ error: expected });
    const saved = await ws.json(`/flows/${flowId}`, { method: 'PUT', body: withWait });
    expect(saved.status).toBe(400);
    expect(saved.body).toEqual({ error: expected });
    // The draft is untouched.
    const after = await ws.json<FlowView>(`/flows/${flowId}`);
    expect(after.body.revision).toBe(1);
  });

  it('names the node of other schema errors at save too', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const res = await ws.json<{ error: { issues: { path: string; message: string }[] } }>(
      `/flows/${flowId}`,
      {
        method: 'PUT',
        body: { ...sampleFlow(pilot.id), nodes: [{ id: 'x', type: 'teleport' }] },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([
      { path: 'nodes.0.type', message: 'Unknown node type "teleport" (node x)' },
    ]);
  });

  it('answers 404 when creating a flow for a pilot of another workspace', async () => {
    const a = await workspaceWithFlow();
    const b = await workspaceWithFlow();
    const res = await a.ws.call('/flows', { method: 'POST', body: sampleFlow(b.pilot.id) });
    expect(res.status).toBe(404);
    const list = await b.ws.json<{ items: unknown[] }>(`/flows?pilotId=${b.pilot.id}`);
    expect(list.body.items).toHaveLength(1);
  });
});

describe('publishing', () => {
  it('makes immutable numbered versions with note, time and the publishing key name', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const v1 = await ws.json(`/flows/${flowId}/publish`, {
      method: 'POST',
      body: { note: 'launch' },
    });
    expect(v1.body).toMatchObject({ version: 1, note: 'launch', publishedBy: 'ci-writer' });
    await ws.call(`/flows/${flowId}`, { method: 'PUT', body: sampleFlow(pilot.id, 'Second text') });
    const v2 = await ws.json(`/flows/${flowId}/publish`, { method: 'POST' });
    expect(v2.body).toMatchObject({ version: 2, note: '' });

    const versions = await ws.json<{ items: { version: number }[] }>(`/flows/${flowId}/versions`);
    expect(versions.body.items.map((v) => v.version)).toEqual([2, 1]);
    const one = await ws.json<{ definition: FlowView['draft'] }>(`/flows/${flowId}/versions/1`);
    expect(one.body.definition.nodes[0]?.text).toBe('Hello from a test flow');
    expect((await ws.call(`/flows/${flowId}/versions/3`)).status).toBe(404);
  });

  it('rewrites the pilot snapshot on publish and unpublish', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    expect((await snapshot(pilot.publicKey))?.flows).toEqual([]);
    await ws.call(`/flows/${flowId}/publish`, { method: 'POST', body: { note: 'go' } });
    const live = await snapshot(pilot.publicKey);
    expect(live?.flows.map((f) => [f.flowId, f.version])).toEqual([[flowId, 1]]);

    const off = await ws.json<FlowView>(`/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(off.body.publishedVersion).toBeNull();
    expect((await snapshot(pilot.publicKey))?.flows).toEqual([]);
    const again = await ws.json(`/flows/${flowId}/unpublish`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('refuses to publish a draft with errors, listing them, and publishes nothing', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const broken = {
      ...sampleFlow(pilot.id),
      nodes: [{ id: 'hi', type: 'send_message', text: 'x', next: 'missing' }],
    };
    expect((await ws.call(`/flows/${flowId}`, { method: 'PUT', body: broken })).status).toBe(200);
    const res = await ws.json<{
      error: { code: string; issues: { path: string; message: string }[] };
    }>(`/flows/${flowId}/publish`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.body.error.issues).toContainEqual({
      path: 'nodes.0.next',
      message: 'Port next points to missing node "missing" (node hi)',
    });
    const versions = await ws.json<{ items: unknown[] }>(`/flows/${flowId}/versions`);
    expect(versions.body.items).toEqual([]);
  });

  it('restores a version into the draft without publishing it', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    await ws.call(`/flows/${flowId}/publish`, { method: 'POST' });
    await ws.call(`/flows/${flowId}`, { method: 'PUT', body: sampleFlow(pilot.id, 'Experiment') });
    const restored = await ws.json<FlowView>(`/flows/${flowId}/versions/1/restore`, {
      method: 'POST',
      headers: { 'if-match': '"2"' },
    });
    expect(restored.status).toBe(200);
    expect(restored.body.draft.nodes[0]?.text).toBe('Hello from a test flow');
    expect(restored.body).toMatchObject({ revision: 3, publishedVersion: 1 });
    const stale = await ws.call(`/flows/${flowId}/versions/1/restore`, {
      method: 'POST',
      headers: { 'if-match': '"2"' },
    });
    expect(stale.status).toBe(412);
  });

  it('diffs two versions node by node', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    await ws.call(`/flows/${flowId}/publish`, { method: 'POST' });
    const next = {
      ...sampleFlow(pilot.id),
      nodes: [
        { id: 'hi', type: 'send_message', text: 'Changed greeting', next: 'bye' },
        { id: 'bye', type: 'send_message', text: 'Bye', next: 'done' },
        { id: 'done', type: 'end' },
      ],
    };
    await ws.call(`/flows/${flowId}`, { method: 'PUT', body: next });
    await ws.call(`/flows/${flowId}/publish`, { method: 'POST' });
    const diff = await ws.json<{
      nodes: Record<string, string[]>;
      changes: { path: string; before?: unknown; after?: unknown }[];
    }>(`/flows/${flowId}/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.nodes).toEqual({ added: ['bye'], removed: [], changed: ['hi'] });
    expect(diff.body.changes).toContainEqual({
      type: 'changed',
      path: 'nodes.hi.text',
      before: 'Hello from a test flow',
      after: 'Changed greeting',
    });
    expect((await ws.call(`/flows/${flowId}/diff?from=1&to=9`)).status).toBe(404);
  });
});

describe('flow tools', () => {
  it('validates the draft or a posted flow and reports errors by path', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    const ok = await ws.json<{ ok: boolean }>(`/flows/${flowId}/validate`, { method: 'POST' });
    expect(ok.body.ok).toBe(true);
    const bad = await ws.json<{ ok: boolean; errors: { path: string }[] }>(
      `/flows/${flowId}/validate`,
      {
        method: 'POST',
        body: { ...sampleFlow(pilot.id), start: 'nowhere' },
      },
    );
    expect(bad.status).toBe(200);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.errors.map((e) => e.path)).toContain('start');
  });

  it('simulates the draft against scripted events with a read-only key', async () => {
    const { ws, flowId } = await workspaceWithFlow();
    const res = await ws.json<{ status: string; transcript: { text: string }[] }>(
      `/flows/${flowId}/simulate`,
      {
        method: 'POST',
        key: ws.readKey,
        body: { events: [{ type: 'event', name: 'signed_up' }] },
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    expect(res.body.transcript.map((m) => m.text)).toEqual(['Hello from a test flow']);
  });

  it('simulates a published version with ?version=N while the draft moved on', async () => {
    const { ws, pilot, flowId } = await workspaceWithFlow();
    expect((await ws.json(`/flows/${flowId}/publish`, { method: 'POST', body: {} })).status).toBe(
      200,
    );
    const etag = (await ws.json(`/flows/${flowId}`)).headers.get('etag') ?? '';
    await ws.json(`/flows/${flowId}`, {
      method: 'PUT',
      headers: { 'if-match': etag },
      body: sampleFlow(pilot.id, 'Draft text'),
    });
    const run = (query: string) =>
      ws.json<{ transcript: { text: string }[] }>(`/flows/${flowId}/simulate${query}`, {
        method: 'POST',
        body: { events: [{ type: 'event', name: 'signed_up' }] },
      });
    expect((await run('')).body.transcript.map((m) => m.text)).toEqual(['Draft text']);
    expect((await run('?version=1')).body.transcript.map((m) => m.text)).toEqual([
      'Hello from a test flow',
    ]);
    expect((await run('?version=9')).status).toBe(404);
  });

  it('simulates webhooks, emails and records as listed effects without calling or storing anything', async () => {
    const { ws, pilot } = await workspaceWithFlow();
    const tag = `sim-${crypto.randomUUID()}`;
    const flow = {
      ...sampleFlow(pilot.id),
      nodes: [
        {
          id: 'hi',
          type: 'http_request',
          method: 'POST',
          url: `${target}/order?tag=${tag}`,
          next: 'mail',
        },
        {
          id: 'mail',
          type: 'send_email',
          to: 'ops@example.com',
          subject: 'Lead',
          body: 'New lead',
          next: 'deal',
        },
        {
          id: 'deal',
          type: 'create_record',
          kind: 'deal',
          fields: { title: 'Lead' },
          next: 'done',
        },
        { id: 'done', type: 'end' },
      ],
    };
    const created = await ws.json<{ id: string }>('/flows', { method: 'POST', body: flow });
    expect(created.status).toBe(201);
    const res = await ws.json<{ path: string[]; effects: Record<string, unknown>[] }>(
      `/flows/${created.body.id}/simulate`,
      { method: 'POST', body: { events: [{ type: 'event', name: 'signed_up' }] } },
    );
    expect(res.status).toBe(200);
    expect(res.body.path).toEqual(['hi', 'mail', 'deal', 'done']);
    expect(res.body.effects.length).toBeGreaterThanOrEqual(3);
    const log = await (await fetch(`${target}/_log?tag=${tag}`)).json();
    expect(log).toEqual([]);
    for (const table of ['outbox', 'records']) {
      const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE workspace_id = ?`)
        .bind(ws.id)
        .first<{ n: number }>();
      expect(`${table}: ${row?.n}`).toBe(`${table}: 0`);
    }
  });

  it('serves the flow JSON Schema', async () => {
    const { ws } = await workspaceWithFlow();
    const res = await ws.json<{ $schema: string; title: string }>('/schema/flow.json');
    expect(res.body.title).toBe('edgepilot flow');
    expect(res.body.$schema).toContain('2020-12');
    // Exactly the schema generated from the zod flow schema (test/shared/flow-json-schema).
    expect(res.body).toEqual(flowJsonSchema());
  });
});
