/**
 * Privacy erasure seen from the visitor's open page (issue 18): the admin deletes the
 * conversation, the page's socket is closed (4011), the messenger reconnects to an empty
 * conversation, drops the old transcript and chats again from sequence 1.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { admin, baseUrl, indexed, openMessenger, waitForText } from './widget-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function send(page: Page, text: string) {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(text);
  await composer.press('Enter');
}

describe('an erased visitor with the page open', () => {
  it('loses the old transcript on the page, in the admin transcript and in the live view, and starts again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const conversations: string[] = [];
    page.on('response', async (response) => {
      if (response.url().endsWith('/session') && response.ok())
        conversations.push(((await response.json()) as { conversationId: string }).conversationId);
    });
    await page.goto(`${baseUrl}/`);
    const dialog = await openMessenger(page);
    const log = dialog.getByRole('log');
    await dialog.getByRole('button', { name: 'Pricing' }).click({ timeout: 15_000 });
    await waitForText(log, 'Great, let us talk about pricing.');
    const secret = `my secret ${crypto.randomUUID()}`;
    await send(page, secret);
    const visitorTexts = () => log.locator('[data-author="visitor"]').allTextContents();
    await expect.poll(visitorTexts, { timeout: 10_000 }).toContain(secret);
    const conversationId = conversations.at(-1);
    expect(conversationId).toBeTruthy();

    const receipt = await admin<{ status: string }>('DELETE', `/conversations/${conversationId}`);
    expect(receipt.status).toBe('erased');

    // The page drops what it showed once it reconnects to the emptied conversation.
    await expect.poll(visitorTexts, { timeout: 20_000 }).toEqual([]);
    await send(page, 'hello again');
    await expect.poll(visitorTexts, { timeout: 20_000 }).toEqual(['hello again']);
    // Stored by the fresh conversation as its first message.
    const firstSeq = () =>
      log
        .locator('[data-seq]')
        .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq')))[0]);
    await expect.poll(firstSeq, { timeout: 20_000 }).toBe(1);

    // The erasure removed its index row; the fresh conversation's events index it again.
    await indexed(conversationId!);
    const detail = await admin<{ pilotId: string; messages: { text: string }[] }>(
      'GET',
      `/conversations/${conversationId}`,
    );
    expect(detail.messages.map((m) => m.text)).not.toContain(secret);
    expect(detail.messages.map((m) => m.text)).not.toContain('Pricing');
    const live = await admin<{ items: { lastMessage: string | null }[] }>(
      'GET',
      `/live?pilotId=${detail.pilotId}`,
    );
    expect(live.items.map((item) => item.lastMessage)).not.toContain(secret);
    await context.close();
  });
});
