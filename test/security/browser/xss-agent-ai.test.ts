import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../e2e/browser.ts';
import {
  admin,
  baseUrl,
  createPilot,
  openMessenger,
  transcript,
  waitForText,
} from '../../e2e/widget-page.ts';
import { xssPayloads } from '../../e2e/widget-xss-payloads.ts';
import { openTrappedPage } from '../../e2e/xss-trap.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A made-up word per payload, so each question retrieves exactly its own article. */
const topic = (i: number) =>
  `qx${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`;

/** A page whose alert/confirm/prompt/print record calls instead of running. */
async function trappedPage(path: string) {
  const { context, page, dialogs } = await openTrappedPage(browser);
  await page.goto(`${baseUrl}${path}`);
  await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
  return { context, page, dialogs };
}

/** Nothing ran and no element was created from any message text. */
async function expectInert(page: Page, dialogs: string[]) {
  const log = page.getByRole('log');
  const injected = await log.evaluate((el) =>
    Array.from(el.querySelectorAll('.msg *'))
      // The messenger's own markup: choice buttons, and an answer's source links (title as text).
      .filter((child) => !child.closest('.choices') && !child.matches('.links, .links > a'))
      .map((child) => child.tagName),
  );
  expect(injected).toEqual([]);
  await page.mouse.move(200, 200);
  expect(await page.evaluate(() => (window as unknown as { xssFired: string[] }).xssFired)).toEqual(
    [],
  );
  expect(dialogs).toEqual([]);
}

interface Conversation {
  id: string;
  messages: { author: string; text: string }[];
}

describe('hostile text from agents and AI answers', () => {
  it(`renders ${xssPayloads.length} XSS payloads as inert text in AI answers and in agent replies`, async () => {
    const pilot = await createPilot({ fallbackMessage: 'No idea.' });
    for (const [i, payload] of xssPayloads.entries()) {
      await admin('POST', `/pilots/${pilot.id}/knowledge`, {
        title: `About ${topic(i)} ${payload}`,
        body: `The ${topic(i)} answer is ${payload}`,
        url: `https://docs.example.com/${topic(i)}`,
      });
    }
    const { context, page, dialogs } = await trappedPage(`/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'E2E pilot');
    const log = dialog.getByRole('log');
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    for (const i of xssPayloads.keys()) {
      // A visitor's pace: the conversation's token bucket refills 5 frames per second.
      await page.waitForTimeout(250);
      await composer.fill(`What about ${topic(i)}?`);
      await composer.press('Enter');
      await waitForText(log, `The ${topic(i)} answer is`);
    }

    const list = await admin<{ items: { id: string }[] }>(
      'GET',
      `/conversations?pilotId=${pilot.id}`,
    );
    expect(list.items).toHaveLength(1);
    const conversationId = list.items[0]!.id;
    for (const payload of xssPayloads) {
      await admin('POST', `/conversations/${conversationId}/messages`, { text: payload });
    }
    await waitForText(log, xssPayloads[xssPayloads.length - 1]!);

    // What the visitor sees is exactly what was stored, character for character.
    const stored = await admin<Conversation>('GET', `/conversations/${conversationId}`);
    const shown = await transcript(log);
    expect(shown).toEqual(stored.messages.map((m) => `${m.author}: ${m.text}`));
    const answers = stored.messages.filter((m) => m.author === 'pilot').map((m) => m.text);
    expect(answers).toHaveLength(xssPayloads.length);
    // Each AI answer carries its payload (the extractive answer may end at a sentence break).
    answers.forEach((answer, i) => {
      expect(answer.startsWith(`The ${topic(i)} answer is`)).toBe(true);
    });
    expect(answers.filter((a, i) => a.includes(xssPayloads[i]!)).length).toBeGreaterThan(
      xssPayloads.length / 2,
    );
    for (const payload of xssPayloads) expect(shown).toContain(`agent: ${payload}`);
    await expectInert(page, dialogs);
    await context.close();
  });
});
