/**
 * Fixtures for the admin API tests: each call to `workspace()` makes a fresh workspace with
 * its own write and read keys (rows in the real D1), so tests neither share state nor the
 * bootstrap key's rate-limit budget, and cross-workspace access can be tested.
 */
import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import { sha256Hex } from '../../worker/auth/hash.ts';

export const BASE = 'http://edgepilot.test';

let counter = 0;
const unique = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export interface CallInit extends Omit<RequestInit, 'body'> {
  body?: unknown;
  /** Raw body text instead of JSON. */
  raw?: string;
  key?: string | null;
}

export interface Workspace {
  id: string;
  key: string;
  readKey: string;
  call(path: string, init?: CallInit): Promise<Response>;
  json<T = Record<string, unknown>>(
    path: string,
    init?: CallInit,
  ): Promise<{ status: number; body: T; headers: Headers }>;
}

/** Calls the Worker from a random client IP (failed-auth budgets are per IP). */
export function request(path: string, init: CallInit = {}, key?: string | null): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (!headers.has('cf-connecting-ip'))
    headers.set(
      'cf-connecting-ip',
      `10.${counter++ % 250}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
    );
  let body: string | undefined = init.raw;
  if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  return exports.default.fetch(new Request(`${BASE}/v1/admin${path}`, { ...init, headers, body }));
}

/** A new API key of the workspace with `scopes` (its own rate-limit budget). */
export async function addKey(workspaceId: string, name: string, scopes: string[]): Promise<string> {
  const key = `ep_test_${crypto.randomUUID()}`;
  await env.DB.prepare(
    `INSERT INTO api_keys (id, workspace_id, name, key_hash, key_prefix, scopes, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      unique('key'),
      workspaceId,
      name,
      await sha256Hex(key),
      key.slice(0, 7),
      JSON.stringify(scopes),
      Date.now(),
    )
    .run();
  return key;
}

export async function workspace(): Promise<Workspace> {
  const id = unique('ws');
  await env.DB.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)')
    .bind(id, id, Date.now())
    .run();
  const key = await addKey(id, 'ci-writer', ['read', 'write']);
  const readKey = await addKey(id, 'ci-reader', ['read']);
  const call = (path: string, init: CallInit = {}) =>
    request(path, init, init.key === undefined ? key : init.key);
  return {
    id,
    key,
    readKey,
    call,
    async json(path, init) {
      const response = await call(path, init);
      return { status: response.status, body: await response.json(), headers: response.headers };
    },
  };
}

/** A minimal valid flow for `pilotId`. */
export function sampleFlow(pilotId: string, text = 'Hello from a test flow') {
  return {
    schemaVersion: 1,
    name: 'Test flow',
    pilotId,
    trigger: { type: 'event', name: 'signed_up' },
    start: 'hi',
    nodes: [
      { id: 'hi', type: 'send_message', text, next: 'done' },
      { id: 'done', type: 'end' },
    ],
  };
}

/** A workspace with a pilot and a flow draft in it. */
export async function workspaceWithFlow() {
  const ws = await workspace();
  const pilot = await ws.json<{ id: string; publicKey: string }>('/pilots', {
    method: 'POST',
    body: { name: 'Test pilot', trustedDomains: ['example.com'] },
  });
  if (pilot.status !== 201) throw new Error(`pilot create failed: ${JSON.stringify(pilot.body)}`);
  const flow = await ws.json<{ id: string }>('/flows', {
    method: 'POST',
    body: sampleFlow(pilot.body.id),
  });
  if (flow.status !== 201) throw new Error(`flow create failed: ${JSON.stringify(flow.body)}`);
  return { ws, pilot: pilot.body, flowId: flow.body.id };
}
