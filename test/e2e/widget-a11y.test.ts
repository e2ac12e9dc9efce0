import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { isFocused, openMessenger, seriousViolations, visit, waitForText } from './widget-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('messenger accessibility', () => {
  it('passes an axe-core audit closed, open with a question, and in dark mode', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page } = await visit(browser, '/', { colorScheme });
      const bubble = page.getByRole('status').filter({ hasText: 'What brings you here today?' });
      await expect.poll(() => bubble.count(), { timeout: 15_000 }).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
      const dialog = await openMessenger(page);
      await dialog.getByRole('button', { name: 'Pricing' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it('adds no landmark that competes with the site: no banner inside the open panel', async () => {
    const { context, page } = await visit(browser, '/');
    const dialog = await openMessenger(page);
    await dialog.getByRole('button', { name: 'Pricing' }).waitFor();
    expect(await page.locator('edgepilot-messenger').getByRole('banner').count()).toBe(0);
    await context.close();
  });

  it('shows the proactive message as a status that opens the panel, with an unread badge', async () => {
    const { context, page } = await visit(browser, '/');
    const bubble = page.getByRole('status').filter({ hasText: 'What brings you here today?' });
    await expect.poll(() => bubble.count(), { timeout: 15_000 }).toBe(1);
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await expect.poll(() => launcher.getAttribute('data-unread')).toBe('2');
    expect(await launcher.getAttribute('aria-description')).toBe('2 unread');
    await bubble.getByRole('button', { name: 'What brings you here today?' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edgepilot demo' });
    await dialog.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await bubble.count()).toBe(0);
    expect(await launcher.getAttribute('data-unread')).toBeNull();
    // Nothing unread: no description at all (a screen reader would otherwise announce "0").
    expect(await launcher.getAttribute('aria-description')).toBeNull();
    await context.close();
  });

  it('works with the keyboard alone: open, answer, send, close with Escape', async () => {
    const { context, page } = await visit(browser, '/');
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await launcher.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Edgepilot demo' });
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    // The first open loads the panel: focus moves once it is drawn.
    await expect.poll(() => isFocused(composer), { timeout: 10_000 }).toBe(true);
    const log = dialog.getByRole('log');
    // The log scrolls: a keyboard user can focus it to scroll it (axe scrollable-region-focusable).
    expect(await log.getAttribute('tabindex')).toBe('0');
    await waitForText(log, 'What brings you here today?');
    // Shift+Tab from the composer reaches the choices, Enter picks one.
    const support = dialog.getByRole('button', { name: 'Support' });
    for (let i = 0; i < 6 && !(await isFocused(support)); i++)
      await page.keyboard.press('Shift+Tab');
    expect(await isFocused(support)).toBe(true);
    await page.keyboard.press('Enter');
    await waitForText(log, 'let us talk about support');
    await composer.focus();
    await page.keyboard.type('Thanks, typed with the keyboard');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => log.locator('[data-author="visitor"]').allTextContents(), { timeout: 15_000 })
      .toEqual(['Support', 'Thanks, typed with the keyboard']);
    await page.keyboard.press('Escape');
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => isFocused(launcher)).toBe(true);
    await context.close();
  });

  it('speaks Arabic right to left while each message keeps its own direction, and switches language with setLocale', async () => {
    const { context, page } = await visit(browser, '/spa/?locale=ar');
    const launcher = page.getByRole('button', { name: 'فتح المحادثة' });
    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Edgepilot demo' });
    await dialog.getByRole('button', { name: 'إرسال' }).waitFor();
    const direction = await dialog.evaluate((el) => getComputedStyle(el).direction);
    expect(direction).toBe('rtl');
    // An English message keeps its own direction inside the Arabic layout (its "?" at the end).
    const english = dialog.locator('[data-author="pilot"]', { hasText: 'What brings you here' });
    expect(await english.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    expect(await seriousViolations(page)).toEqual([]);
    await page.evaluate(() =>
      (window as unknown as { EdgePilot: (...a: unknown[]) => Promise<unknown> }).EdgePilot(
        'setLocale',
        'fr-CA',
      ),
    );
    await dialog.getByRole('button', { name: 'Envoyer' }).waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Message' }).count()).toBe(1);
    expect(await dialog.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    await context.close();
  });

  it('announces the connection state while offline and recovers when back online', async () => {
    const { context, page } = await visit(browser, '/');
    const dialog = await openMessenger(page);
    await waitForText(dialog.getByRole('log'), 'What brings you here today?');
    await context.setOffline(true);
    const offline = dialog.getByRole('status').filter({ hasText: 'You are offline' });
    await expect.poll(() => offline.isVisible(), { timeout: 15_000 }).toBe(true);
    await context.setOffline(false);
    await expect.poll(() => offline.isVisible(), { timeout: 15_000 }).toBe(false);
    await context.close();
  });
  it('opens without animation when the visitor prefers reduced motion', async () => {
    const animated = async (reducedMotion: 'reduce' | 'no-preference') => {
      const { context, page } = await visit(browser, '/', { reducedMotion });
      await page.getByRole('button', { name: 'Open chat', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Edgepilot demo' });
      await dialog.waitFor();
      const name = await dialog.evaluate((el) => getComputedStyle(el).animationName);
      await context.close();
      return name;
    };
    expect(await animated('no-preference')).toBe('rise');
    expect(await animated('reduce')).toBe('none');
  });
});
