/**
 * The messenger's start-up path (issue 16): a framework-free launcher, the Lit panel loaded on
 * first open, and a socket opened only when there is something to receive. Uses the demo pilot,
 * whose page_visited flow greets every visitor.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from './audit.ts';
import { launchChromium } from './browser.ts';
import { startCustomerSite } from './customer-site.ts';
import {
  baseUrl,
  callApi,
  createPilot,
  openMessenger,
  transcript,
  waitForText,
} from './widget-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh visitor on the demo page, counting sockets and panel downloads. */
async function visitCounting(url = `${baseUrl}/`) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = { sockets: 0, panels: 0 };
  page.on('websocket', () => seen.sockets++);
  page.on('request', (r) => {
    if (/\/widget\/panel-[\w-]+\.js$/.test(r.url())) seen.panels++;
  });
  await page.goto(url);
  return { context, page, seen };
}

const launcherOf = (page: Page) => page.locator('edgepilot-messenger .launcher');
const iconOf = (page: Page) => page.locator('edgepilot-messenger .launcher path').getAttribute('d');

describe('messenger start-up', () => {
  it('shows a proactive greeting as bubble and badge before any socket or panel is loaded, then opens on demand', async () => {
    const { context, page, seen } = await visitCounting();
    // The greeting arrives with the page view's answer: no socket, no Lit panel needed.
    const bubble = page.getByRole('status').filter({ hasText: 'What brings you here today?' });
    await bubble.waitFor({ timeout: 15_000 });
    await expect.poll(() => launcherOf(page).getAttribute('data-unread')).toBe('2');
    expect(seen).toEqual({ sockets: 0, panels: 0 });

    const closedIcon = await iconOf(page);
    const dialog = await openMessenger(page);
    const log = dialog.getByRole('log');
    await waitForText(log, 'What brings you here today?');
    // The socket replays the history: each greeting once, choices live.
    expect(await transcript(log)).toEqual([
      'pilot: Hi there! I am the edgepilot demo pilot.',
      'pilot: What brings you here today?',
    ]);
    expect(seen.panels).toBe(1);
    await expect.poll(() => seen.sockets).toBe(1);
    // While open, the launcher shows a close icon; closing brings the chat icon back. It keeps
    // its accessible name (SPEC 3.2: "Open chat") and says it is expanded.
    expect(await iconOf(page)).not.toBe(closedIcon);
    expect(await launcherOf(page).getAttribute('aria-label')).toBe('Open chat');
    expect(await launcherOf(page).getAttribute('aria-expanded')).toBe('true');
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    expect(await composer.getAttribute('placeholder')).toBe('Write a message…');
    await dialog.getByRole('button', { name: 'Pricing' }).click();
    await waitForText(log, 'Great, let us talk about pricing.');
    await launcherOf(page).click();
    await expect.poll(() => launcherOf(page).getAttribute('aria-expanded')).toBe('false');
    expect(await iconOf(page)).toBe(closedIcon);
    await context.close();
  });

  it('focuses the composer on the first open, once the lazily loaded panel is drawn', async () => {
    const { context, page } = await visitCounting();
    // The panel's download is slow: the first open waits for it, then behaves as always.
    await page.route(/\/widget\/panel-[\w-]+\.js$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    await page.evaluate(() => {
      const w = window as unknown as { EdgePilot: (...a: unknown[]) => unknown; opens: number };
      w.opens = 0;
      w.EdgePilot('on', 'open', () => w.opens++);
    });
    await page.getByRole('button', { name: 'Open chat', exact: true }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await expect
      .poll(
        () => composer.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(await page.evaluate(() => (window as unknown as { opens: number }).opens)).toBe(1);
    // Escape closes it and gives focus back to the launcher.
    await page.keyboard.press('Escape');
    await expect.poll(() => launcherOf(page).getAttribute('aria-expanded')).toBe('false');
    await context.close();
  });

  it('keeps a message given while the panel is still loading and delivers it once', async () => {
    const { context, page } = await visitCounting();
    await page.route(/\/widget\/panel-[\w-]+\.js$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    // showNewMessage opens the panel and fills the composer: it resolves once the panel is there.
    await callApi(page, 'showNewMessage', 'typed while the panel loads');
    const composer = page.getByRole('textbox', { name: 'Message' });
    expect(await composer.inputValue()).toBe('typed while the panel loads');
    await composer.press('Enter');
    const log = page.getByRole('dialog').getByRole('log');
    await expect.poll(() => log.locator('[data-pending]').count(), { timeout: 15_000 }).toBe(0);
    await waitForText(log, 'typed while the panel loads');
    expect(
      (await transcript(log)).filter((line) => line === 'visitor: typed while the panel loads'),
    ).toHaveLength(1);
    await context.close();
  });

  it('adds no landmark that competes with the site, and draws citations as links to the saved URL', async () => {
    // Opened on `localhost` while the demo articles were saved on the dev server's address:
    // the citation keeps the URL as saved.
    const local = baseUrl.replace('127.0.0.1', 'localhost');
    const { context, page } = await visitCounting(`${local}/`);
    const dialog = await openMessenger(page);
    await axeViolations(page); // loads axe-core into the page
    const landmarks = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string }[] }> };
        }
      ).axe;
      const result = await axe.run(document, {
        runOnly: ['landmark-no-duplicate-banner', 'landmark-unique', 'landmark-one-main'],
      });
      return result.violations.map((v) => v.id);
    });
    expect(landmarks).toEqual([]);
    expect(await dialog.locator('header').count()).toBe(0);

    const log = dialog.getByRole('log');
    await dialog.getByRole('button', { name: 'Support' }).click();
    await waitForText(log, 'Great, let us talk about support.');
    await dialog.getByRole('textbox', { name: 'Message' }).fill('How long does delivery take?');
    await dialog.getByRole('button', { name: 'Send' }).click();
    const source = log.getByRole('link', { name: 'Shipping' });
    await source.waitFor({ timeout: 15_000 });
    expect(await source.getAttribute('href')).toBe(`${baseUrl}/help.html#shipping`);
    // A link looks like a link (underlined, no pill), unlike a choice button.
    const style = (el: Element) => {
      const s = getComputedStyle(el);
      return {
        underline: s.textDecorationLine.includes('underline'),
        radius: s.borderTopLeftRadius,
      };
    };
    expect(await source.evaluate(style)).toEqual({ underline: true, radius: '0px' });
    const choice = dialog.getByRole('button', { name: 'Pricing' });
    expect(await choice.evaluate(style)).toEqual({ underline: false, radius: '16px' });
    await context.close();
  });

  it("puts the framework-free launcher in the pilot's left corner, and the panel above it", async () => {
    const pilot = await createPilot({
      trustedDomains: ['127.0.0.1'],
      appearance: { displayName: 'Left pilot', position: 'left' },
    });
    const site = await startCustomerSite(pilot.publicKey);
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    await page.goto(site.url);
    const launcher = launcherOf(page);
    // The appearance arrives when the page is idle: the launcher moves to the start side.
    await expect.poll(async () => (await launcher.boundingBox())?.x, { timeout: 15_000 }).toBe(20);
    const dialog = await openMessenger(page, 'Left pilot');
    expect((await dialog.boundingBox())?.x).toBe(20);
    await context.close();
    await site.close();
  });

  it('keeps the log drawn while the socket replays the history after a reload (it never empties and refills)', async () => {
    const { context, page } = await visitCounting();
    const dialog = await openMessenger(page);
    const log = dialog.getByRole('log');
    await dialog.getByRole('button', { name: 'Pricing' }).click();
    await waitForText(log, 'Great, let us talk about pricing.');

    // The page view's answer (it rides with the session request) brings the newest messages
    // before any socket; then the panel opens.
    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/session') && r.request().method() === 'POST',
    );
    await page.reload();
    await answered;
    // Every change of the shadow tree records how many messages the log shows.
    await page.evaluate(() => {
      const root = document.querySelector('edgepilot-messenger')!.shadowRoot!;
      const counts: number[] = [];
      (window as unknown as { counts: number[] }).counts = counts;
      new MutationObserver(() => {
        const n = root.querySelectorAll('.log [data-author]').length;
        if (n !== counts.at(-1)) counts.push(n);
      }).observe(root, { childList: true, subtree: true });
    });
    const again = await openMessenger(page);
    const history = again.getByRole('log');
    await expect
      .poll(() =>
        history
          .locator('[data-author]')
          .evaluateAll((els) => els.map((el) => el.getAttribute('data-author'))),
      )
      .toEqual(['pilot', 'pilot', 'visitor', 'pilot']);
    const counts = await page.evaluate(() => (window as unknown as { counts: number[] }).counts);
    // Once drawn, the log only grows: no empty log while the replay arrives.
    expect(counts.filter((n, i) => i > 0 && n < counts[i - 1]!)).toEqual([]);
    await context.close();
  });

  it('costs a page view one request: the page view rides with the session, whose answer also brings the appearance', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/v1/widget/'))
        calls.push(`${r.method()} ${path.replace(/pk_\w+/, 'pk')}`);
    });
    let sockets = 0;
    page.on('websocket', () => sockets++);
    const session = page.waitForRequest((r) => r.url().endsWith('/session'));
    await page.goto(`${baseUrl}/`);
    const body = JSON.parse((await session).postData() ?? '{}');
    expect(body.frames).toEqual([
      expect.objectContaining({
        type: 'page_view',
        page: expect.objectContaining({ url: `${baseUrl}/` }),
      }),
    ]);
    // The greeting of the page view shows without any other request and without a socket.
    await page
      .getByRole('status')
      .filter({ hasText: 'What brings you here today?' })
      .waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1_500);
    expect(calls).toEqual(['POST /v1/widget/pk/session']);
    expect(sockets).toBe(0);
    await context.close();
  });

  it('opens one socket when the panel is opened while the first session is still on its way', async () => {
    const fresh = await browser.newContext();
    const slow = await fresh.newPage();
    let sockets = 0;
    slow.on('websocket', () => sockets++);
    // The session (with the page view) answers late: the visitor opens the panel meanwhile.
    await slow.route(/\/session$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    const asked = slow.waitForRequest((r) => r.url().endsWith('/session'));
    await slow.goto(`${baseUrl}/`);
    await asked;
    const dialog = await openMessenger(slow);
    const log = dialog.getByRole('log');
    await waitForText(log, 'What brings you here today?');
    await dialog.getByRole('button', { name: 'Pricing' }).click();
    await waitForText(log, 'Great, let us talk about pricing.');
    // Two sockets would each replay the history: one, and every message once.
    expect(sockets).toBe(1);
    expect(await transcript(log)).toEqual([
      'pilot: Hi there! I am the edgepilot demo pilot.',
      'pilot: What brings you here today?',
      'visitor: Pricing',
      'pilot: Great, let us talk about pricing. Ask me anything, or ask to talk to a person.',
    ]);
    await fresh.close();
  });
});
