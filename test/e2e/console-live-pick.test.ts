/**
 * The live view's pilot picker against wrangler dev: a pilot the admin picks the moment the
 * list appears stays picked. Before the fix, the page's "first pilot by default" effect, still
 * pending from the render that drew the list, ran just before the next render and replaced the
 * pick: the page said "Live" for the first pilot's socket and never showed the chosen pilot's
 * visitors (console-ops' *shows a visitor live…* timed out waiting for its guest's row).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { openConsole, signIn } from './console-page.ts';
import { createPilot } from './widget-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('live view pilot picker', () => {
  it('keeps the pilot picked as soon as the list appears, and watches that pilot only', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const pilot = await createPilot({ name: `Picked pilot ${tag}` });
    const admin = await openConsole(browser, '/admin/live');
    const sockets: string[] = [];
    admin.page.on('websocket', (ws) => sockets.push(ws.url()));
    // The pilot list answers late, so the pick below is armed before the options exist.
    await admin.page.route('**/v1/admin/pilots?**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await signIn(admin.page);
    await admin.page.getByRole('heading', { name: 'Live view', level: 1 }).waitFor();
    // An admin who picks the pilot as soon as its option is drawn (before the page's own
    // effects have run: a MutationObserver acts within the same task as the render).
    await admin.page.evaluate((id) => {
      const observer = new MutationObserver(() => {
        const select = document.querySelector('.toolbar select');
        if (!(select instanceof HTMLSelectElement)) return;
        if (!Array.from(select.options).some((o) => o.value === id)) return;
        observer.disconnect();
        select.value = id;
        select.dispatchEvent(new Event('input', { bubbles: true }));
        select.dispatchEvent(new Event('change', { bubbles: true }));
      });
      observer.observe(document.body, { subtree: true, childList: true });
    }, pilot.id);
    await admin.page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    expect(await admin.page.getByLabel('Pilot', { exact: true }).inputValue()).toBe(pilot.id);
    // The only live socket opened is the picked pilot's (with the bug: the first pilot's).
    const pilotsWatched = sockets.map((url) => new URL(url).searchParams.get('pilotId'));
    expect(pilotsWatched).toEqual([pilot.id]);
    expect(admin.errors).toEqual([]);
    await admin.close();
  });
});
