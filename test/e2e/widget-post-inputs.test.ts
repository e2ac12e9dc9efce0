/**
 * Issue 19 on a customer's page: a proactive large snippet post on the launcher preview that
 * expands when opened, an emoji reaction, a star rating chosen with the keyboard, and checkboxes
 * saved as a list. axe-clean at each step.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { type CustomerSite, startCustomerSite } from './customer-site.ts';
import {
  createPilot,
  isFocused,
  openMessenger,
  publishFlow,
  seriousViolations,
  waitForText,
} from './widget-page.ts';

let browser: Browser;
let customer: CustomerSite;

beforeAll(async () => {
  browser = await launchChromium();
  const pilot = await createPilot({
    trustedDomains: ['127.0.0.1'],
    appearance: { displayName: 'Post pilot' },
  });
  await publishFlow({
    schemaVersion: 1,
    name: 'Spring release post',
    pilotId: pilot.id,
    trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '127.0.0.1' }] },
    variables: [
      { name: 'reaction', type: 'text' },
      { name: 'score', type: 'number' },
      { name: 'topics', type: 'list' },
    ],
    start: 'news',
    nodes: [
      {
        id: 'news',
        type: 'post',
        size: 'large',
        title: 'Spring release',
        text: 'Dark mode and <b>faster</b> search are live.',
        imageUrl: 'https://cdn.example.com/spring.png',
        cta: { label: 'See what is new', url: 'https://example.com/changelog' },
        delivery: 'snippet',
        response: { type: 'reaction', reactions: ['👍', '👎'], saveTo: 'variable.reaction' },
        next: 'rate',
      },
      {
        id: 'rate',
        type: 'ask_question',
        text: 'How would you rate the release?',
        input: { kind: 'rating' },
        saveTo: 'variable.score',
        next: 'topics',
      },
      {
        id: 'topics',
        type: 'ask_question',
        text: 'What should we improve next?',
        input: {
          kind: 'multiple_choice',
          options: [
            { label: 'Speed', value: 'speed' },
            { label: 'Docs', value: 'docs' },
            { label: 'Mobile', value: 'mobile' },
          ],
        },
        saveTo: 'variable.topics',
        next: 'done',
      },
      {
        id: 'done',
        type: 'send_message',
        text: 'Saved {{variable.reaction}} {{variable.score}} {{variable.topics}}',
      },
    ],
  });
  customer = await startCustomerSite(pilot.publicKey);
});
afterAll(async () => {
  await customer?.close();
  await browser?.close();
});

describe('posts and richer inputs in the messenger', () => {
  it('shows a proactive post on the launcher, expands its snippet, takes a reaction, a keyboard rating and checkboxes', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${customer.url}/pricing`);

    // Closed: the launcher preview shows the post's preview (its title).
    const bubble = page.getByRole('status').filter({ hasText: 'Spring release' });
    await expect.poll(() => bubble.count(), { timeout: 15_000 }).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    const dialog = await openMessenger(page, 'Post pilot');
    const log = dialog.getByRole('log');
    await waitForText(log, 'Spring release');
    // A snippet: collapsed behind its preview until the visitor opens it.
    const details = log.locator('details');
    const cta = log.getByRole('link', { name: 'See what is new' });
    expect(await details.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
    expect(await cta.isVisible()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    const summary = log.locator('summary').filter({ hasText: 'Spring release' });
    await summary.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => cta.isVisible()).toBe(true);
    expect(await details.textContent()).toContain('Dark mode and <b>faster</b> search are live.');
    // Visitor-facing text stays text: the <b> is shown, not parsed.
    expect(await log.locator('b', { hasText: 'faster' }).count()).toBe(0);
    expect(await log.locator('img').getAttribute('src')).toBe('https://cdn.example.com/spring.png');
    expect(await log.getByRole('link', { name: 'See what is new' }).getAttribute('href')).toBe(
      'https://example.com/changelog',
    );
    expect(await seriousViolations(page)).toEqual([]);

    await log.getByRole('button', { name: '👍' }).click();
    await waitForText(log, 'How would you rate the release?');

    // The rating, by keyboard alone: Shift+Tab back from the composer to "4 ★", then Enter.
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    await composer.focus();
    const four = log.getByRole('button', { name: '4 ★' });
    for (let i = 0; i < 6 && !(await isFocused(four)); i++) await page.keyboard.press('Shift+Tab');
    expect(await isFocused(four)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await waitForText(log, 'What should we improve next?');

    // Checkboxes: pick two, send them as one answer; they are saved as a list.
    const group = log.getByRole('group').last();
    await group.getByRole('checkbox', { name: 'Speed' }).check();
    await group.getByRole('checkbox', { name: 'Mobile' }).check();
    expect(await seriousViolations(page)).toEqual([]);
    await group.getByRole('button', { name: 'Send' }).click();
    await waitForText(log, 'Saved 👍 4 ["speed","mobile"]');
    expect(await log.locator('[data-author="visitor"]').allTextContents()).toEqual([
      '👍',
      '4 ★',
      'Speed, Mobile',
    ]);
    // Answered checkboxes are disabled.
    expect(await group.getByRole('checkbox', { name: 'Docs' }).isDisabled()).toBe(true);
    await context.close();
  });
});
