/** Helpers for the security suite: the production admin key, pilots, sessions from an origin. */
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';

// Mirrors test/security/vitest.config.ts (the config is not importable inside workerd).
export const ADMIN_KEY = 'security-suite-admin-key-0123456789abcdef';
export const SESSION_SECRET = 'security-suite-session-secret-0123456789abcdef';
export const BASE = 'https://edgepilot.test';

export function request(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export function admin(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${init.key ?? ADMIN_KEY}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return request(`/v1/admin${path}`, { ...init, headers });
}

/**
 * Waits (up to 10 s) until the queue has indexed the conversation: the admin routes that address
 * one by id answer 404 before that (they ask D1 first, so a made-up id creates no object).
 */
export async function indexed(conversationId: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    if ((await admin(`/conversations/${conversationId}`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`conversation ${conversationId} was not indexed within 10 s`);
}

export async function ok<T = Record<string, unknown>>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function createPilot(settings: Record<string, unknown> = {}) {
  return ok<{ id: string; publicKey: string }>(
    await admin('/pilots', {
      method: 'POST',
      body: JSON.stringify({
        name: 'Security pilot',
        trustedDomains: ['shop.example.com', '*.example.org'],
        fallbackMessage: 'Fallback answer.',
        ...settings,
      }),
    }),
  );
}

export async function publishFlow(pilotId: string, flow: Record<string, unknown>) {
  const created = await ok<{ id: string }>(
    await admin('/flows', {
      method: 'POST',
      body: JSON.stringify({ schemaVersion: 1, pilotId, ...flow }),
    }),
  );
  await ok(await admin(`/flows/${created.id}/publish`, { method: 'POST', body: '{}' }));
  return created.id;
}

export interface Session {
  token: string;
  conversationId: string;
  visitorId: string;
  /** The anonymous visitor's resume credential (null for a verified contact). */
  visitorKey: string | null;
  identified: boolean;
}

export function session(pilotKey: string, body: unknown, origin = 'https://shop.example.com') {
  return request(`/v1/widget/${pilotKey}/session`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Asserts the API's error shape: a 4xx with `{ error: { code, message } }`. */
export async function expectClientError(response: Response, what: string) {
  expect(response.status, what).toBeGreaterThanOrEqual(400);
  expect(response.status, what).toBeLessThan(500);
  expect(response.headers.get('content-type') ?? '', what).toContain('application/json');
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof body.error?.code, what).toBe('string');
  expect(typeof body.error?.message, what).toBe('string');
  return body as {
    error: { code: string; message: string; issues?: { path: string; message: string }[] };
  };
}
