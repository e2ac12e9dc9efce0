/**
 * An agent's reply reaches a visitor who moved to another page, without a reload. The messenger
 * opens its socket only when the page view's answer says more may come (`live`); these tests
 * send the reply through the admin API (what the console does) once the visitor is on the new
 * page with the panel closed, and look for it on the launcher (badge and bubble).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { type CustomerSite, startCustomerSite } from './customer-site.ts';
import {
  admin,
  createPilot,
  handoverQuestion,
  onlineAgent,
  openMessenger,
  publishFlow,
  setOffline,
  waitForText,
} from './widget-page.ts';

const tag = crypto.randomUUID().slice(0, 8);
let browser: Browser;
let talker: { pilot: { id: string; publicKey: string }; site: CustomerSite };
let handover: { pilot: { id: string; publicKey: string }; site: CustomerSite };
let agentId: string;

beforeAll(async () => {
  browser = await launchChromium();
  // A pilot with no flow: a typed question gets the fallback answer.
  const plain = await createPilot({
    name: `Talker pilot ${tag}`,
    appearance: { displayName: 'Talker pilot' },
    fallbackMessage: `Talker fallback ${tag}`,
  });
  talker = { pilot: plain, site: await startCustomerSite(plain.publicKey) };
  // A pilot whose first hello asks; "Talk to a human" hands over to an online agent.
  agentId = await onlineAgent(`Agent ${tag}`, `agent-reply-${tag}@example.com`);
  const withFlow = await createPilot({
    name: `Handover pilot ${tag}`,
    appearance: { displayName: 'Handover pilot' },
  });
  await publishFlow({
    schemaVersion: 1,
    pilotId: withFlow.id,
    name: `Handover flow ${tag}`,
    trigger: { type: 'new_conversation' },
    start: 'ask',
    nodes: [...handoverQuestion('done', 'done'), { id: 'done', type: 'end' }],
  });
  handover = { pilot: withFlow, site: await startCustomerSite(withFlow.publicKey) };
});
afterAll(async () => {
  // The workspace is shared with later test files: leave nobody online for their handovers.
  if (agentId) await setOffline(agentId);
  await talker?.site.close();
  await handover?.site.close();
  await browser?.close();
});

/** A fresh visitor on `url`, remembering its conversation and counting sockets per page. */
async function visitor(url: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = { conversationId: '', sockets: 0 };
  page.on('response', async (response) => {
    if (response.url().endsWith('/session') && response.ok())
      seen.conversationId = ((await response.json()) as { conversationId: string }).conversationId;
  });
  page.on('websocket', () => seen.sockets++);
  await page.goto(url);
  return { context, page, seen };
}

const launcherOf = (page: Page) => page.locator('edgepilot-messenger .launcher');

/** Moves to another page of the site (a full navigation); resolves once its socket opened. */
async function navigate(page: Page, seen: { sockets: number }, url: string) {
  seen.sockets = 0;
  await page.goto(url);
  // The panel is closed on the new page; the page view's answer alone opens the socket.
  await expect.poll(() => seen.sockets, { timeout: 15_000 }).toBe(1);
  expect(await launcherOf(page).getAttribute('aria-expanded')).toBe('false');
}

/** The console's reply, then the closed launcher shows it: bubble and unread badge. */
async function agentReplyShows(page: Page, conversationId: string, text: string) {
  await admin('POST', `/conversations/${conversationId}/messages`, { text });
  const bubble = page.getByRole('status').filter({ hasText: text });
  await expect.poll(() => bubble.count(), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => launcherOf(page).getAttribute('data-unread')).toBe('1');
}

describe("an agent's reply after the visitor moved to another page", () => {
  it('reaches a visitor who wrote a moment ago, on the new page with the panel closed', async () => {
    const { context, page, seen } = await visitor(`${talker.site.url}/pricing`);
    const dialog = await openMessenger(page, 'Talker pilot');
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    await composer.fill('Can someone check my order 4411?');
    await composer.press('Enter');
    await waitForText(dialog.getByRole('log'), `Talker fallback ${tag}`);
    const conversationId = seen.conversationId;
    expect(conversationId).toBeTruthy();

    await navigate(page, seen, `${talker.site.url}/checkout`);
    // Same visitor, same conversation (the key was kept after the visitor typed).
    expect(seen.conversationId).toBe(conversationId);
    await agentReplyShows(page, conversationId, `Agent here ${tag}: order 4411 ships today.`);
    await context.close();
  });

  it('reaches a visitor who handed over to a person, on the new page with the panel closed', async () => {
    const { context, page, seen } = await visitor(`${handover.site.url}/pricing`);
    const dialog = await openMessenger(page, 'Handover pilot');
    const log = dialog.getByRole('log');
    await dialog.getByRole('button', { name: 'Talk to a human' }).click({ timeout: 15_000 });
    await waitForText(log, 'Connecting you to a person.');
    const conversationId = seen.conversationId;

    await navigate(page, seen, `${handover.site.url}/docs`);
    expect(seen.conversationId).toBe(conversationId);
    await agentReplyShows(page, conversationId, `Hi, I am a person ${tag}.`);
    await context.close();
  });

  it('leaves a visitor who never wrote without a socket on the next page', async () => {
    const { context, page, seen } = await visitor(`${talker.site.url}/pricing`);
    await expect.poll(() => seen.conversationId, { timeout: 15_000 }).not.toBe('');
    seen.sockets = 0;
    const session = page.waitForResponse((r) => r.url().endsWith('/session'), {
      timeout: 15_000,
    });
    await page.goto(`${talker.site.url}/checkout`);
    // The session (with its page view) is answered, and still no socket opens.
    await session;
    await page.waitForTimeout(1_000);
    expect(seen.sockets).toBe(0);
    await context.close();
  });
});
