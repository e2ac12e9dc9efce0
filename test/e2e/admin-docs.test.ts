import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './browser.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('admin API docs page', () => {
  it('renders every documented operation from our own origin, with no CDN, under its CSP', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const foreign: string[] = [];
    const origin = new URL(baseUrl).origin;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http') && url.origin !== origin) foreign.push(request.url());
    });
    const document = (await (await fetch(`${baseUrl}/v1/admin/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(document.paths).reduce(
      (sum, methods) => sum + Object.keys(methods).length,
      0,
    );

    // The page runs under its Content-Security-Policy: nothing it needs may be refused.
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    const response = await page.goto(`${baseUrl}/v1/admin/docs`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    const blocks = page.locator('.opblock');
    await expect.poll(() => blocks.count(), { timeout: 15_000 }).toBe(operations);
    expect(foreign).toEqual([]);
    expect(refused).toEqual([]);
    await context.close();
  });
});
