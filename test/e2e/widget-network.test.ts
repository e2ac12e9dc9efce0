import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { startDevServer } from '../../scripts/dev-server.mjs';
import { DEFAULT_FALLBACK_MESSAGE } from '../../shared/pilot.ts';
import { launchChromium } from './browser.ts';
import { admin, baseUrl, indexed, openMessenger, transcript, waitForText } from './widget-page.ts';

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

/** Sequence numbers of the stored messages in the log: 1..n with no gap and no repeat. */
async function expectNoGaps(log: Locator) {
  const seqs = await log
    .locator('[data-seq]')
    .evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-seq'))));
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
}

async function startChat(page: Page, base: string) {
  await page.goto(`${base}/`);
  const dialog = await openMessenger(page);
  const log = dialog.getByRole('log');
  await dialog.getByRole('button', { name: 'Pricing' }).click({ timeout: 15_000 });
  await waitForText(log, 'Great, let us talk about pricing.');
  return log;
}

describe('messenger on a bad network', () => {
  it('delivers two messages typed offline exactly once, in order, when the network returns', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = await startChat(page, baseUrl);
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    await send(page, 'first, typed offline');
    await send(page, 'second, typed offline');
    // Shown at once, marked as not yet sent.
    expect(await log.locator('[data-pending]').allTextContents()).toEqual([
      'first, typed offline',
      'second, typed offline',
    ]);
    await context.setOffline(false);
    const visitor = () => log.locator('[data-author="visitor"]').allTextContents();
    await expect
      .poll(visitor, { timeout: 20_000 })
      .toEqual(['Pricing', 'first, typed offline', 'second, typed offline']);
    await expect.poll(() => log.locator('[data-pending]').count()).toBe(0);
    // The server's history agrees: each message stored once, in order.
    await page.reload();
    const again = (await openMessenger(page)).getByRole('log');
    await waitForText(again, 'second, typed offline');
    expect(await again.locator('[data-author="visitor"]').allTextContents()).toEqual([
      'Pricing',
      'first, typed offline',
      'second, typed offline',
    ]);
    await expectNoGaps(again);
    await context.close();
  });

  it('delivers every message exactly once, in order, when the page sends faster than the rate limit', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = await startChat(page, baseUrl);
    // A chatty page: 30 events at once use up the conversation's burst allowance.
    await page.evaluate(() => {
      const api = (window as unknown as { EdgePilot: (...a: unknown[]) => unknown }).EdgePilot;
      for (let i = 0; i < 30; i++) api('track', `scrolled_${i}`);
    });
    for (const text of ['one', 'two', 'three']) await send(page, text);
    // Refused for now by the server's token bucket: still shown as sending, then sent.
    await expect.poll(() => log.locator('[data-pending]').count(), { timeout: 20_000 }).toBe(0);
    expect(await log.locator('[data-author="visitor"]').allTextContents()).toEqual([
      'Pricing',
      'one',
      'two',
      'three',
    ]);
    await page.reload();
    const again = (await openMessenger(page)).getByRole('log');
    await waitForText(again, 'three');
    expect(await again.locator('[data-author="visitor"]').allTextContents()).toEqual([
      'Pricing',
      'one',
      'two',
      'three',
    ]);
    await expectNoGaps(again);
    await context.close();
  });

  it('notices a silent socket by its heartbeat, reconnects and delivers what was typed meanwhile', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.clock.install();
    // Every socket goes through the real server; the current one can be made to go silent
    // (a half-open connection: what the page sends arrives, nothing comes back).
    let current = { silent: false };
    let sockets = 0;
    await page.routeWebSocket(/\/socket/, (ws) => {
      const state = { silent: false };
      current = state;
      sockets++;
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (!state.silent) ws.send(message);
      });
    });
    const log = await startChat(page, baseUrl);
    expect(sockets).toBe(1);
    current.silent = true;
    await send(page, 'typed into a silent socket');
    await expect.poll(() => log.locator('[data-pending]').count()).toBe(1);
    // Two heartbeat periods without a word from the server: the socket is declared dead.
    await page.clock.fastForward('01:00');
    await expect.poll(() => log.locator('[data-pending]').count(), { timeout: 15_000 }).toBe(0);
    expect(sockets).toBe(2);
    expect(
      (await log.locator('[data-author="visitor"]').allTextContents()).filter(
        (t) => t === 'typed into a silent socket',
      ),
    ).toHaveLength(1);
    await expectNoGaps(log);
    await context.close();
  });

  it('gives the visitor their text back with an alert when the server refuses a message', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The real server behind the socket, except that it refuses one particular message
    // with the protocol's error frame (as it does for a frame it cannot accept).
    await page.routeWebSocket(/\/socket/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((raw) => {
        const frame = typeof raw === 'string' && raw.startsWith('{') ? JSON.parse(raw) : null;
        if (frame?.type === 'message' && frame.text === 'please refuse me') {
          ws.send(
            JSON.stringify({
              v: 1,
              type: 'error',
              code: 'invalid_input',
              message: 'Refused',
              id: frame.id,
            }),
          );
        } else server.send(raw);
      });
    });
    const log = await startChat(page, baseUrl);
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & {
        EdgePilot: (...a: unknown[]) => unknown;
      };
      w.errors = [];
      w.EdgePilot('on', 'error', (e: unknown) => (w.errors as unknown[]).push(e));
    });
    await send(page, 'please refuse me');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('Something went wrong. Please try again.');
    const composer = page.getByRole('textbox', { name: 'Message' });
    expect(await composer.inputValue()).toBe('please refuse me');
    expect(await log.locator('[data-pending]').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { errors: unknown[] }).errors)).toEqual([
      { code: 'invalid_input', message: 'Refused' },
    ]);
    // Typing again clears the alert; the next message goes through.
    await composer.fill('this one is fine');
    expect(await alert.count()).toBe(0);
    await composer.press('Enter');
    await expect
      .poll(() => log.locator('[data-author="visitor"]').allTextContents(), { timeout: 15_000 })
      .toEqual(['Pricing', 'this one is fine']);
    await context.close();
  });

  it('catches up on what another tab said while this tab was disconnected, without gaps', async () => {
    const context = await browser.newContext();
    const tabA = await context.newPage();
    const logA = await startChat(tabA, baseUrl);
    const tabB = await context.newPage();
    await tabB.goto(`${baseUrl}/`);
    const logB = (await openMessenger(tabB)).getByRole('log');
    await waitForText(logB, 'Great, let us talk about pricing.');
    const cdp = await context.newCDPSession(tabA);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await tabA.getByRole('status').filter({ hasText: 'You are offline' }).waitFor();
    await send(tabB, 'said in tab B');
    await waitForText(logB, DEFAULT_FALLBACK_MESSAGE);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await waitForText(logA, 'said in tab B');
    await expect.poll(() => transcript(logA)).toEqual(await transcript(logB));
    await expectNoGaps(logA);
    await context.close();
  });

  it('shows a history longer than one replay page in full and in order after a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const session = page.waitForResponse((r) => r.url().endsWith('/session'));
    const log = await startChat(page, baseUrl);
    const { conversationId } = (await (await session).json()) as { conversationId: string };
    // 210 agent messages: a reload replays them in three pages (100 messages per hello).
    await indexed(conversationId);
    for (let i = 1; i <= 210; i++)
      await admin('POST', `/conversations/${conversationId}/messages`, {
        text: `agent note ${i}`,
      });
    await waitForText(log, 'agent note 210');
    const before = await transcript(log);
    await page.reload();
    const again = (await openMessenger(page)).getByRole('log');
    await waitForText(again, 'agent note 210');
    await expect.poll(() => transcript(again)).toEqual(before);
    await expectNoGaps(again);
    await context.close();
  });

  it('resumes the history without gaps after the server drops every socket (worker restart)', async () => {
    const persistTo = mkdtempSync(join(tmpdir(), 'edgepilot-restart-'));
    let server = await startDevServer({ persistTo });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const log = await startChat(page, server.base);
      await server.stop();
      await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor();
      await send(page, 'typed while the server was down');
      server = await startDevServer({ persistTo, port: server.port });
      await expect
        .poll(() => log.locator('[data-author="pilot"]').count(), { timeout: 40_000 })
        .toBe(4);
      expect(await log.locator('[data-author="visitor"]').allTextContents()).toEqual([
        'Pricing',
        'typed while the server was down',
      ]);
      await expectNoGaps(log);
      await page.reload();
      const again = (await openMessenger(page)).getByRole('log');
      await waitForText(again, 'typed while the server was down');
      await expect.poll(() => transcript(again)).toEqual(await transcript(log));
    } finally {
      await context.close();
      await server.stop();
      rmSync(persistTo, { recursive: true, force: true });
    }
    // Two cold `wrangler dev` starts (10-20 s each on a busy 2-core machine) plus the resume.
  }, 150_000);
});
