/** Admin API helpers shared by the Workers-runtime tests. */
import { exports } from 'cloudflare:workers';

export const ADMIN_KEY = 'dev-admin-key';
export const BASE = 'http://edgepilot.test';

/** Calls the Worker like an HTTP client would. */
export function call(
  path: string,
  init: RequestInit & { key?: string | null } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? ADMIN_KEY : init.key;
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

export async function seed() {
  const response = await call('/v1/admin/dev/seed', { method: 'POST' });
  if (!response.ok) throw new Error(`seed failed ${response.status}`);
  return (await response.json()) as {
    pilotId: string;
    publicKey: string;
    flowId: string;
    version: number;
  };
}
