import type { Browser, Page } from 'playwright-core';
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

async function openDemo(page: Page) {
  await page.goto(`${baseUrl}/`);
  const launcher = page.getByRole('button', { name: 'Open chat' });
  await launcher.click();
  await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('true');
  return page.getByRole('dialog', { name: 'Edgepilot demo' });
}

describe('demo page with the embedded messenger', () => {
  it('greets the visitor, saves the chosen button and answers with it, and keeps history across a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialog = await openDemo(page);
    const log = dialog.getByRole('log');
    await expect
      .poll(() => log.textContent(), { timeout: 15_000 })
      .toContain('I am the edgepilot demo pilot');
    await expect.poll(() => log.textContent()).toContain('What brings you here today?');

    await dialog.getByRole('button', { name: 'Pricing' }).click();
    await expect
      .poll(() => log.textContent(), { timeout: 15_000 })
      .toContain('Great, let us talk about pricing.');
    const visitorTexts = await log.locator('[data-author="visitor"]').allTextContents();
    expect(visitorTexts).toEqual(['Pricing']);

    await page.reload();
    const again = await openDemo(page);
    const history = again.getByRole('log');
    await expect
      .poll(() => history.textContent(), { timeout: 15_000 })
      .toContain('Great, let us talk about pricing.');
    const authors = await history
      .locator('[data-author]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-author')));
    expect(authors).toEqual(['pilot', 'pilot', 'visitor', 'pilot']);
    await context.close();
  });

  it('answers a typed question after the welcome from the demo knowledge, citing its page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialog = await openDemo(page);
    const log = dialog.getByRole('log');
    await dialog.getByRole('button', { name: 'Support' }).click();
    await expect
      .poll(() => log.textContent(), { timeout: 15_000 })
      .toContain('Great, let us talk about support.');
    await dialog.getByRole('textbox', { name: 'Message' }).fill('How long does delivery take?');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => log.textContent(), { timeout: 15_000 })
      .toContain('Standard delivery takes 3 to 5 business days');
    const source = log.getByRole('link', { name: 'Shipping' });
    expect(await source.getAttribute('href')).toBe(`${baseUrl}/help.html#shipping`);
    await context.close();
  });

  it('moves focus to the composer on open and back to the launcher on Escape', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialog = await openDemo(page);
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    // The first open loads the panel: focus moves once it is drawn.
    await expect
      .poll(
        () => composer.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
        { timeout: 10_000 },
      )
      .toBe(true);
    await page.keyboard.press('Escape');
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('false');
    await expect
      .poll(() => launcher.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement))
      .toBe(true);
    await context.close();
  });
});
