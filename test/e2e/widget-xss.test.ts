import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import {
  admin,
  baseUrl,
  indexed,
  openMessenger,
  publishFlow,
  transcript,
  waitForText,
} from './widget-page.ts';
import { xssPayloads } from './widget-xss-payloads.ts';
import { openTrappedPage } from './xss-trap.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

// Flow texts may not contain template braces (they would be templates, checked at publish).
const flowPayloads = xssPayloads.filter((p) => !p.includes('{{'));
const templatePayloads = ['<img src=x onerror=alert(1)>', '<script>alert(1)</script>'];

/** An event-triggered flow that says every payload, then echoes the visitor through a template. */
const xssFlow = {
  schemaVersion: 1,
  name: 'XSS payloads as flow text and template values',
  pilotId: 'pilot_demo',
  priority: 1,
  trigger: { type: 'event', name: 'xss_flow' },
  variables: [{ name: 'answer', type: 'text' }],
  start: 'p0',
  nodes: [
    ...flowPayloads.map((text, i) => ({
      id: `p${i}`,
      type: 'send_message',
      text,
      next: i + 1 < flowPayloads.length ? `p${i + 1}` : 'ask',
    })),
    {
      id: 'ask',
      type: 'ask_question',
      text: 'Reply with anything',
      input: { kind: 'text' },
      saveTo: 'variable.answer',
      next: 'echo',
    },
    { id: 'echo', type: 'send_message', text: 'You said: {{variable.answer}}', next: 'ask2' },
    {
      id: 'ask2',
      type: 'ask_question',
      text: 'And once more',
      input: { kind: 'text' },
      saveTo: 'variable.answer',
      next: 'echo2',
    },
    { id: 'echo2', type: 'send_message', text: 'Again: {{variable.answer}}', next: 'done' },
    { id: 'done', type: 'end' },
  ],
};

describe('hostile text in the messenger', () => {
  it(`renders ${xssPayloads.length} XSS payloads as inert text: visitor text, flow text and template values`, async () => {
    await publishFlow(xssFlow);
    const { context, page, dialogs } = await openTrappedPage(browser);
    await page.goto(`${baseUrl}/`);
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    const lightDomBefore = await page.evaluate(() => document.querySelectorAll('*').length);
    const dialog = await openMessenger(page);
    const log = dialog.getByRole('log');
    await dialog.getByRole('button', { name: 'Pricing' }).click({ timeout: 15_000 });
    await waitForText(log, 'Great, let us talk about pricing.');

    await page.evaluate(() =>
      (window as unknown as { EdgePilot: (...a: unknown[]) => Promise<unknown> }).EdgePilot(
        'track',
        'xss_flow',
      ),
    );
    await waitForText(log, 'Reply with anything');
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    await composer.fill(templatePayloads[0]!);
    await composer.press('Enter');
    await waitForText(log, 'And once more');
    await composer.fill(templatePayloads[1]!);
    await composer.press('Enter');
    await waitForText(log, `Again: ${templatePayloads[1]}`);

    // Every payload as visitor text, five to a message (a single-line field: joined by spaces).
    for (let i = 0; i < xssPayloads.length; i += 5) {
      await composer.fill(xssPayloads.slice(i, i + 5).join(' '));
      await composer.press('Enter');
      await expect.poll(() => log.locator('[data-pending]').count(), { timeout: 15_000 }).toBe(0);
    }
    const visitorBatches = Math.ceil(xssPayloads.length / 5);
    await expect
      .poll(() => log.locator('[data-author="visitor"]').count(), { timeout: 15_000 })
      .toBe(1 + templatePayloads.length + visitorBatches);

    const lines = await transcript(log);
    for (const payload of flowPayloads) expect(lines).toContain(`pilot: ${payload}`);
    expect(lines).toContain(`pilot: You said: ${templatePayloads[0]}`);
    expect(lines).toContain(`pilot: Again: ${templatePayloads[1]}`);
    for (let i = 0; i < xssPayloads.length; i += 5) {
      expect(lines).toContain(`visitor: ${xssPayloads.slice(i, i + 5).join(' ')}`);
    }
    // No element was created from any text: messages hold only text, their choice buttons and
    // the links the pilot itself adds (a knowledge answer's citation: the article's own URL).
    const injected = await log.evaluate((el) =>
      Array.from(el.querySelectorAll('.msg *'))
        .filter((child) => !child.closest('.choices') && !child.closest('.links'))
        .map((child) => child.tagName),
    );
    expect(injected).toEqual([]);
    const linkTargets = await log.evaluate((el) =>
      Array.from(el.querySelectorAll('.links a')).map(
        (a) => new URL((a as HTMLAnchorElement).href).protocol,
      ),
    );
    for (const protocol of linkTargets) expect(['http:', 'https:']).toContain(protocol);
    expect(await page.evaluate(() => document.querySelectorAll('*').length)).toBe(lightDomBefore);
    await page.mouse.move(200, 200);
    expect(
      await page.evaluate(() => (window as unknown as { xssFired: string[] }).xssFired),
    ).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  });
  it(`renders ${xssPayloads.length} XSS payloads sent by a human agent as inert text`, async () => {
    const { context, page, dialogs } = await openTrappedPage(browser);
    const session = page.waitForResponse((r) => r.url().endsWith('/session'));
    await page.goto(`${baseUrl}/`);
    const { conversationId } = (await (await session).json()) as { conversationId: string };
    const dialog = await openMessenger(page);
    const log = dialog.getByRole('log');
    await waitForText(log, 'What brings you here today?');
    const lightDomBefore = await page.evaluate(() => document.querySelectorAll('*').length);
    const texts = xssPayloads.map((p) => p.trim()).filter(Boolean);
    await indexed(conversationId);
    for (const text of texts) {
      await admin('POST', `/conversations/${conversationId}/messages`, { text });
    }
    await expect
      .poll(() => log.locator('[data-author="agent"]').count(), { timeout: 15_000 })
      .toBe(texts.length);
    const lines = await transcript(log);
    for (const text of texts) expect(lines).toContain(`agent: ${text}`);
    const injected = await log.evaluate((el) =>
      Array.from(el.querySelectorAll('.msg *'))
        .filter((child) => !child.closest('.choices'))
        .map((child) => child.tagName),
    );
    expect(injected).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('*').length)).toBe(lightDomBefore);
    await page.mouse.move(200, 200);
    expect(
      await page.evaluate(() => (window as unknown as { xssFired: string[] }).xssFired),
    ).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
