/**
 * Insights and the appearance preview in the console (issue 14), against wrangler dev with a
 * real visitor: a run's counts reach the chart's table and the canvas (a connection as wide as
 * its traffic, named with its run count, a button with its count); the pilot settings page
 * frames the real messenger, whose launcher takes the accent colour as it is edited, without
 * ever opening a conversation. axe-core finds no serious or critical violation.
 */
import type { Browser, Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { adminApi, openConsole, seriousViolations, signIn } from './console-page.ts';
import { createPilot, openMessenger, publishFlow, visit, waitForText } from './widget-page.ts';

const tag = Math.random().toString(36).slice(2, 8);
let browser: Browser;
let pilot: { id: string; publicKey: string };
let flowId: string;

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({ name: `Insights pilot ${tag}` });
  flowId = await publishFlow({
    schemaVersion: 1,
    pilotId: pilot.id,
    name: `Insights flow ${tag}`,
    trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
    start: 'ask',
    nodes: [
      {
        id: 'ask',
        type: 'ask_question',
        text: 'Looking for pricing?',
        input: {
          kind: 'buttons',
          options: [
            { label: 'Yes please', value: 'yes', next: 'prices' },
            { label: 'No thanks', value: 'no', next: 'bye' },
          ],
        },
      },
      { id: 'prices', type: 'send_message', text: 'Plans start at 10 a month.' },
      { id: 'bye', type: 'send_message', text: 'Enjoy your visit!' },
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

async function auditBoth(page: Page, what: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await seriousViolations(page), `${what} ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('insights in the console', () => {
  it('shows a run in the chart table and its traffic on the canvas: line width, run count, button count', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'E2E pilot');
    await waitForText(dialog.getByRole('log'), 'Looking for pricing?');
    await dialog.getByRole('button', { name: 'Yes please' }).click();
    await waitForText(dialog.getByRole('log'), 'Plans start at 10 a month.');
    // The log is written by the events consumer: wait until the connection is counted.
    type Insights = { edges: { nodeId: string; port: string; runs: number }[] };
    await expect
      .poll(
        async () =>
          (await adminApi<Insights>('GET', `/flows/${flowId}/insights`)).edges.find(
            (e) => e.port === 'option:yes',
          )?.runs,
        { timeout: 30_000, interval: 500 },
      )
      .toBe(1);

    const admin = await openConsole(browser, `/admin/insights?flowId=${flowId}`);
    await signIn(admin.page);
    await admin.page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();

    // The chart's text alternative: today's row with the run in it, the chart drawn beside it.
    const table = admin.page.getByRole('table', { name: 'Runs per day' });
    await table.waitFor({ timeout: 15_000 });
    const rows = table.getByRole('row').filter({ has: admin.page.getByRole('rowheader') });
    expect(await rows.count()).toBe(1);
    const cells = await rows.first().getByRole('cell').allTextContents();
    // Triggered, started, completed, dropped, handed over, failed.
    expect(cells).toEqual(['1', '1', '1', '0', '0', '0']);
    const chart = admin.page.getByRole('img', {
      name: /^Runs per day, .*: 1 triggered, 1 started, 1 completed/,
    });
    await chart.locator('canvas').first().waitFor();

    // On the canvas: the taken connection is the widest and says its count; the other is idle.
    const canvas = admin.page.getByRole('region', { name: 'Canvas of version 1 with its traffic' });
    const taken = canvas.getByLabel('ask Yes please to prices: 1 run');
    await taken.waitFor({ state: 'attached', timeout: 15_000 });
    const idle = canvas.getByLabel('ask No thanks to bye: 0 runs');
    const width = (edge: typeof taken) =>
      edge.locator('path.react-flow__edge-path').evaluate((p) => getComputedStyle(p).strokeWidth);
    expect(await width(taken)).toBe('12px');
    expect(await width(idle)).toBe('1px');
    const ask = canvas.getByLabel('Step ask (ask_question)');
    expect(await ask.textContent()).toContain('1 entered · 1 completed · 0 failed · 0 dropped');
    // Each button with the runs that chose it (then the question's own next/onInvalid ports).
    const ports = await ask.locator('.step-port').allTextContents();
    expect(ports.slice(0, 2)).toEqual(['Yes please1 run', 'No thanks0 runs']);
    await auditBoth(admin.page, 'insights with chart and canvas');
    expect(admin.errors).toEqual([]);
    await context.close();
    await admin.close();
  });
});

describe('the appearance preview', () => {
  it('frames the real messenger, recolours and moves its launcher as the accent colour and position change, and opens no conversation', async () => {
    type Conversations = { items: unknown[] };
    const count = async () =>
      (await adminApi<Conversations>('GET', `/conversations?pilotId=${pilot.id}&limit=100`)).items
        .length;
    const before = await count();
    const admin = await openConsole(browser, `/admin/pilots/${pilot.id}`);
    const sockets: WebSocket[] = [];
    admin.page.on('websocket', (ws) => sockets.push(ws));
    await signIn(admin.page);
    await admin.page.getByRole('heading', { name: /settings$/, level: 1 }).waitFor();
    const frame = admin.page.frameLocator('iframe[title="Messenger preview"]');
    const launcher = frame.locator('edgepilot-messenger .launcher');
    const colour = () => launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
    // The pilot's saved colour (the form's default) once the preview is ready.
    await expect.poll(colour, { timeout: 15_000 }).toBe('rgb(37, 99, 235)');
    const header = frame.getByRole('dialog', { name: 'E2E pilot' });
    await header.waitFor();

    await admin.page.getByLabel('Accent colour').fill('#b91c1c');
    await expect.poll(colour).toBe('rgb(185, 28, 28)');
    await admin.page.getByLabel('Display name').fill(`Shop ${tag}`);
    await frame.getByRole('dialog', { name: `Shop ${tag}` }).waitFor();
    expect(await frame.getByRole('log').textContent()).toContain('Hi! How can we help you today?');
    // The launcher corner: bottom right by default, bottom left once picked.
    const onLeft = () =>
      launcher.evaluate((el) => el.getBoundingClientRect().right < innerWidth / 2);
    expect(await onLeft()).toBe(false);
    await admin.page.getByLabel('Launcher position').selectOption('left');
    await expect.poll(onLeft).toBe(true);

    // Nothing connected: no socket from the page or its frame, no conversation for the pilot.
    expect(sockets.map((s) => s.url())).toEqual([]);
    expect(await count()).toBe(before);
    await auditBoth(admin.page, 'pilot settings with the preview');
    expect(admin.errors).toEqual([]);
    await admin.close();
  });
});
