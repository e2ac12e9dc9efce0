/**
 * A customer's site for browser tests: a real HTTP server on another port, so another origin
 * than the Worker (a page fulfilled by the test would count as a public address, and
 * Chromium's local-network rules would then block the embed from loopback). Every path serves
 * a "Pricing" page embedding the messenger for `publicKey`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { baseUrl } from './console-page.ts';

export interface CustomerSite {
  url: string;
  close: () => Promise<void>;
}

/**
 * `slowTail`: the page's end (HTML after the embed), sent `afterMs` later while the page is
 * still loading — as a slow page's inline `EdgePilot('identify', …)` arrives. The embed is then
 * a plain (not async) script, so `EdgePilot` exists when that inline script runs.
 */
export async function startCustomerSite(
  publicKey: string,
  slowTail?: { html: string; afterMs: number },
): Promise<CustomerSite> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const head = `<!doctype html><html lang="en"><title>Pricing</title><h1>Pricing</h1><script ${slowTail ? '' : 'async '}src="${baseUrl}/widget.js" data-pilot-key="${publicKey}"></script>`;
    if (!slowTail) {
      res.end(head);
      return;
    }
    res.write(head);
    setTimeout(() => res.end(slowTail.html), slowTail.afterMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
