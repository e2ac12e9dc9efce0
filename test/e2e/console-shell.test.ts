import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import {
  adminApi,
  adminKey,
  baseUrl,
  detailsLoaded,
  openConsole,
  seriousViolations,
  signIn,
} from './console-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const STRICT_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

describe('admin console shell', () => {
  it('answers /admin and any deep link with the console page under the strict CSP', async () => {
    for (const path of ['/admin', '/admin/', '/admin/flows', '/admin/flows/flow_x/deeper']) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe(STRICT_CSP);
      const html = await response.text();
      expect(html).toContain('<div id="app"></div>');
      // No inline script: every script has a src on this origin.
      expect(html).not.toMatch(/<script(?![^>]*\ssrc="\/admin\/assets\/)[^>]*>/);
    }
  });

  it('answers 404, not the page, for a console file that does not exist', async () => {
    const response = await fetch(`${baseUrl}/admin/assets/console-MISSING.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('<div id="app">');
  });

  it('refuses a wrong key, signs in with the admin key, keeps it out of URLs and localStorage, and signs out', async () => {
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    const keyField = page.getByLabel('Admin API key');
    await keyField.fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That key was refused' }).waitFor();
    await signIn(page);
    await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
    expect(page.url()).toBe(`${baseUrl}/admin/flows`);
    expect(page.url()).not.toContain(adminKey);
    const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(local).not.toContain(adminKey);
    // A reload in the same tab stays signed in (sessionStorage), a new tab would not.
    await page.reload();
    await page.getByRole('heading', { name: 'Flows', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await keyField.waitFor();
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toContain(
      adminKey,
    );
    // The refused key's 401 is the only error the browser logs.
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await close();
  });

  it('signs out by itself, saying why, when its key is revoked', async () => {
    const created = await adminApi<{ id: string; key: string }>('POST', '/api-keys', {
      name: 'console e2e',
      scopes: ['read', 'write'],
    });
    const { page, close } = await openConsole(browser, '/admin/flows');
    await signIn(page, created.key);
    await page.getByRole('link', { name: 'Demo welcome' }).waitFor();
    // Let the list's detail requests finish first: one answered 401 after the revoke would sign
    // out the old page before the reload, and the reason would go with it.
    await detailsLoaded(page);
    await adminApi('DELETE', `/api-keys/${created.id}`);
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'The server refused your key' }).waitFor();
    await page.getByLabel('Admin API key').waitFor();
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toContain(
      created.key,
    );
    await close();
  });

  it('has no serious or critical axe violation on the sign-in page and the flows list, light and dark, and no CSP violation', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await openConsole(browser, '/admin', { colorScheme });
      await page.getByLabel('Admin API key').waitFor();
      expect(await seriousViolations(page), `sign-in ${colorScheme}`).toEqual([]);
      await signIn(page);
      await page.getByRole('link', { name: 'Demo welcome' }).waitFor();
      expect(await seriousViolations(page), `flows ${colorScheme}`).toEqual([]);
      await page.getByRole('button', { name: 'New flow' }).click();
      await page.getByRole('dialog', { name: 'New flow' }).waitFor();
      expect(await seriousViolations(page), `new flow dialog ${colorScheme}`).toEqual([]);
      await page.keyboard.press('Escape');
      await page.getByRole('link', { name: 'Demo welcome' }).click();
      await page.getByRole('heading', { name: 'Demo welcome', level: 1 }).waitFor();
      expect(await seriousViolations(page), `editor ${colorScheme}`).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('is enforced by the browser: an injected inline script does not run and is reported', async () => {
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    await page.getByLabel('Admin API key').waitFor();
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.appendChild(script);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => errors.some((e) => e.includes('Content Security Policy'))).toBe(true);
    await close();
  });

  it('switches between light and dark with the theme toggle', async () => {
    const { page, close } = await openConsole(browser, '/admin', { colorScheme: 'light' });
    await signIn(page);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    const toggle = page.getByRole('button', { name: /^Theme:/ });
    await toggle.click(); // system -> light
    expect(await background()).toBe(light);
    await toggle.click(); // light -> dark
    expect(await background()).not.toBe(light);
    expect(await seriousViolations(page)).toEqual([]);
    await close();
  });
});
