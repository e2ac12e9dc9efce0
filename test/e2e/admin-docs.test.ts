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
  it('renders every documented operation from our own origin, with no CDN', async () => {
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

    await page.goto(`${baseUrl}/v1/admin/docs`);
    const blocks = page.locator('.opblock');
    await expect.poll(() => blocks.count(), { timeout: 15_000 }).toBe(operations);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
