/**
 * A real local HTTP server for the runtime's webhook tests (SPEC 5: outbound webhooks are
 * tested against a real server). Runs in Node as a vitest globalSetup; tests read its origin
 * with `inject('httpTarget')` and its request log from `GET /_log`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    httpTarget: string;
  }
}

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export default async function setup(project: TestProject) {
  const seen: Seen[] = [];
  const failures = new Map<string, number>();
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const body = await read(request);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (url.pathname === '/_log') {
      const tag = url.searchParams.get('tag') ?? '';
      return send(
        200,
        seen.filter((s) => s.path.includes(tag)),
      );
    }
    seen.push({
      method: request.method ?? '',
      path: url.pathname + url.search,
      headers: request.headers,
      body,
    });
    const delay = Number(url.searchParams.get('delay') ?? '0');
    if (delay) await new Promise((r) => setTimeout(r, delay));
    switch (url.pathname) {
      case '/order':
        return send(200, {
          order: { id: url.searchParams.get('id'), status: 'shipped' },
          echo: body,
        });
      case '/big':
        return send(200, { data: 'x'.repeat(400 * 1024) });
      case '/flaky': {
        // Fails `fail` times per tag, then succeeds.
        const tag = url.searchParams.get('tag') ?? '';
        const left = failures.get(tag) ?? Number(url.searchParams.get('fail') ?? '1');
        failures.set(tag, left - 1);
        return left > 0 ? send(503, { error: 'try again' }) : send(200, { ok: true });
      }
      case '/redirect':
        // `status` (302 by default) to `to` (a test passes a blocked address of this same
        // server, which would answer, or another origin of it: `localhost` for 127.0.0.1).
        return send(Number(url.searchParams.get('status') ?? '302'), '', {
          location: url.searchParams.get('to') ?? '/',
        });
      case '/emails':
        return send(200, { id: `email_${seen.length}` });
      default:
        return send(404, { error: 'nope' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('httpTarget', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
