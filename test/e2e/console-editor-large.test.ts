/**
 * A 1,000-step flow in the canvas editor (issue 13, SPEC 4): it opens in stages (the draft
 * parsed and checked in slices, xyflow mounted a task after the editor, the steps handed over
 * in batches with `aria-busy` meanwhile), and once open it is the same editor: problems found
 * by the first check, search, the inspector, keyboard moves and undo. How long its tasks are is
 * measured by `npm run bench -- --only=consoleEditor`, not here.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeFlow } from '../helpers/large-flow.ts';
import { launchChromium } from './browser.ts';
import { adminApi, openConsole, signIn } from './console-page.ts';

let browser: Browser;
let pilotId = '';

beforeAll(async () => {
  browser = await launchChromium();
  pilotId = (await adminApi<{ id: string }>('POST', '/pilots', { name: 'Large flow pilot' })).id;
});
afterAll(async () => {
  await browser?.close();
});

const step = (page: Page, id: string) =>
  page.getByRole('group', { name: new RegExp(`^Step ${id} \\(`) });
const panel = (page: Page) => page.getByRole('tabpanel');
const field = (page: Page, name: string) => panel(page).getByLabel(name, { exact: true });

describe('a 1,000-step flow in the editor', () => {
  it('opens in batches, then finds its problems, searches, edits, moves by keyboard and undoes', async () => {
    const flow = await adminApi<{ id: string }>(
      'POST',
      '/flows',
      largeFlow(1000, {
        pilotId,
        name: 'Large flow',
        // Step `s3` names a variable the flow does not declare: an error for the first check.
        messageText: (i) => (i === 3 ? 'Hi {{variable.missing}}' : `Message ${i}`),
      }),
    );
    const { page, errors, close } = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(page);
    // Drawn, and every step handed over: the canvas is no longer busy.
    await page.locator('.react-flow__node').first().waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.locator('.react-flow[aria-busy="true"]').count(), { timeout: 60_000 })
      .toBe(0);
    expect(await page.getByRole('status').filter({ hasText: 'Opening the canvas' }).count()).toBe(
      0,
    );

    // The first check (run in slices) found the undeclared variable, on its step.
    await page.getByRole('tab', { name: /Problems/ }).click();
    await panel(page)
      .getByRole('button', { name: /s3 · text/ })
      .waitFor();

    // Search a step far from the start: choosing it selects it and brings it into view.
    await page.getByLabel('Search steps').fill('Message 501');
    await page.getByRole('button', { name: /^s501 · text/ }).click();
    await expect.poll(() => field(page, 'Message').inputValue()).toBe('Message 501');
    await field(page, 'Message').fill('Edited 501');
    await expect
      .poll(() => page.locator('.react-flow__node[data-id="s501"] .step-text').textContent())
      .toBe('Edited 501');

    // Keyboard: focus the step, move it with an arrow key; undo puts it back.
    const position = () => step(page, 's501').evaluate((el) => (el as HTMLElement).style.transform);
    const before = await position();
    await step(page, 's501').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(position).not.toBe(before);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(position).toBe(before);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect
      .poll(() => page.locator('.react-flow__node[data-id="s501"] .step-text').textContent())
      .toBe('Message 501');
    expect(errors).toEqual([]);
    await close();
  });
});
