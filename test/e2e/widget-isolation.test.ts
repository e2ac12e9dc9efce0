import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { baseUrl, openMessenger, visit, waitForText } from './widget-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Answers the demo question and waits for the flow's reply. */
async function chat(page: Page) {
  const dialog = await openMessenger(page);
  const log = dialog.getByRole('log');
  await dialog.getByRole('button', { name: 'Pricing' }).click({ timeout: 15_000 });
  await waitForText(log, 'Great, let us talk about pricing.');
  await dialog.getByRole('textbox', { name: 'Message' }).fill('Hello under a strict policy');
  await dialog.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(() => log.locator('[data-author="visitor"]').allTextContents(), { timeout: 15_000 })
    .toEqual(['Pricing', 'Hello under a strict policy']);
  return dialog;
}

describe('messenger isolation from the host page', () => {
  it.each([
    ['/csp/', "script-src 'self'"],
    ['/csp-nonce/', "script-src 'nonce-edgepilot-demo-nonce'"],
  ])(
    "loads and chats on %s under %s; style-src 'self'; connect-src 'self' with no CSP violation",
    async (path, scripts) => {
      const context = await browser.newContext();
      await context.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { cspViolations: string[] }).cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (e) =>
          seen.push(`${e.violatedDirective} ${e.blockedURI}`),
        );
      });
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      const response = await page.goto(`${baseUrl}${path}`);
      const policy = response?.headers()['content-security-policy'] ?? '';
      expect(policy).toContain(`${scripts};`);
      expect(policy).toContain("style-src 'self'");
      expect(policy).toContain("connect-src 'self'");
      await chat(page);
      const violations = await page.evaluate(
        () => (window as unknown as { cspViolations: string[] }).cspViolations,
      );
      expect(violations).toEqual([]);
      expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
      // No inline style attribute anywhere in the messenger.
      const styled = await page.evaluate(() => {
        const host = document.querySelector('edgepilot-messenger');
        const inside = Array.from(host?.shadowRoot?.querySelectorAll('*') ?? []);
        return [host, ...inside].filter((el) => el?.hasAttribute('style')).length;
      });
      expect(styled).toBe(0);
      await context.close();
    },
  );

  it('looks and works right on a page with hostile global CSS', async () => {
    const { context, page } = await visit(browser, '/hostile/', {
      viewport: { width: 1280, height: 800 },
    });
    const hostButton = page.locator('body > button');
    expect(await hostButton.isVisible()).toBe(false);
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await launcher.waitFor();
    const box = await launcher.boundingBox();
    expect(box).toMatchObject({ width: 56, height: 56, x: 1280 - 20 - 56, y: 800 - 20 - 56 });
    const dialog = await chat(page);
    const panel = await dialog.boundingBox();
    expect(panel?.width).toBe(370);
    expect(panel?.height).toBe(560);
    const font = await dialog
      .locator('[data-author="visitor"]')
      .first()
      .evaluate((el) => {
        const style = getComputedStyle(el);
        return {
          size: style.fontSize,
          transform: style.textTransform,
          border: style.borderTopStyle,
        };
      });
    expect(font).toEqual({ size: '15px', transform: 'none', border: 'none' });
    await context.close();
  });

  it('fills the whole screen on a small phone', async () => {
    const { context, page } = await visit(browser, '/', { viewport: { width: 375, height: 667 } });
    const dialog = await openMessenger(page);
    expect(await dialog.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    // Nothing covers the panel's own close button (a click is refused if another element would get it).
    await dialog.getByRole('button', { name: 'Close chat' }).click({ timeout: 5_000 });
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await launcher.isVisible()).toBe(true);
    await context.close();
  });
});
