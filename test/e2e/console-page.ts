import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { admin, axeViolations } from './audit.ts';

/** Calls the admin API with the dev admin key; throws with the body on failure. */
export const adminApi = admin;

export const baseUrl = inject('baseUrl');
export const adminKey = inject('adminKey');

export interface ConsolePage {
  page: Page;
  close: () => Promise<void>;
  /** Console errors and page errors so far (CSP violations are reported as console errors). */
  errors: string[];
}

/** A fresh browser context (no storage) on the console at `path`. */
export async function openConsole(
  browser: Browser,
  path = '/admin',
  options: BrowserContextOptions = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  await page.goto(`${baseUrl}${path}`);
  return { page, errors, close: () => context.close() };
}

/** Signs in through the form, with the dev admin key unless told otherwise. */
export async function signIn(page: Page, key = adminKey) {
  await page.getByLabel('Admin API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** axe-core's serious and critical violations on the whole page. */
export async function seriousViolations(page: Page): Promise<string[]> {
  return axeViolations(page);
}

/** The flows table's row for `name`. */
export function flowRow(page: Page, name: string) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

/** Waits until the flows table shows `count` rows named `name`. */
export async function expectFlowRows(page: Page, name: string, count: number) {
  await expect.poll(() => flowRow(page, name).count(), { timeout: 10_000 }).toBe(count);
}

/**
 * Waits until every shown row has its details (status, last published, runs today): no cell
 * still says "…". (`waitForLoadState('networkidle')` would not do: it fired at page load.)
 */
export async function detailsLoaded(page: Page) {
  await expect
    .poll(async () => (await page.getByRole('table').textContent())?.includes('…'), {
      timeout: 15_000,
    })
    .toBe(false);
}
