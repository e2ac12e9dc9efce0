/**
 * A real local webhook target that misbehaves on request (vitest globalSetup, Node). Every
 * request is logged under its `tag` so a test can count how often an effect really ran.
 *   /ok      200 {"ok":true,"n":<count for the tag>}
 *   /fail    500
 *   /close   destroys the connection without answering
 *   /hang    never answers (the connection is closed after 30 s so nothing outlives the run)
 *   /slow?ms=N  answers 200 after N ms
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    faultTarget: string;
  }
}

export interface SeenRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
}

export function startFaultTarget() {
  const seen = new Map<string, SeenRequest[]>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const tag = url.searchParams.get('tag') ?? '';
    if (url.pathname === '/_log') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(seen.get(tag) ?? []));
      return;
    }
    const log = seen.get(tag) ?? [];
    seen.set(tag, log);
    log.push({
      method: request.method ?? '',
      path: url.pathname,
      idempotencyKey: (request.headers['idempotency-key'] as string | undefined) ?? null,
    });
    request.resume();
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case '/ok':
        return answer(200, { ok: true, n: log.length });
      case '/fail':
        return answer(500, { error: 'boom' });
      case '/close':
        return request.socket.destroy();
      case '/hang': {
        const timer = setTimeout(() => request.socket.destroy(), 30_000);
        request.socket.once('close', () => clearTimeout(timer));
        return;
      }
      case '/slow': {
        const timer = setTimeout(
          () => answer(200, { ok: true }),
          Number(url.searchParams.get('ms')),
        );
        request.socket.once('close', () => clearTimeout(timer));
        return;
      }
      default:
        return answer(404, { error: 'no such path' });
    }
  });
  const listening = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { listening, stop };
}

export default async function setup(project: TestProject) {
  const target = startFaultTarget();
  project.provide('faultTarget', await target.listening);
  return target.stop;
}
