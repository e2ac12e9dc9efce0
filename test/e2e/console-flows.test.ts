import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import {
  adminApi,
  detailsLoaded,
  expectFlowRows,
  flowRow,
  openConsole,
  seriousViolations,
  signIn,
} from './console-page.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface FlowView {
  id: string;
  pilotId: string;
  publishedVersion: number | null;
  draft: Record<string, unknown> & { name: string };
}
const unique = (name: string) => `${name} ${Date.now().toString(36)}`;

async function allFlows(): Promise<FlowView[]> {
  return (await adminApi<{ items: FlowView[] }>('GET', '/flows?limit=100')).items;
}

describe('admin console: flows list', () => {
  it('lists flows with pilot, trigger, status, priority and runs today', async () => {
    const { page, errors, close } = await openConsole(browser, '/admin');
    await signIn(page);
    const row = flowRow(page, 'Demo welcome');
    await row.waitFor();
    const cells = row.getByRole('cell');
    await expect
      .poll(() => cells.nth(2).textContent(), { timeout: 10_000 })
      .toMatch(/^Published v\d+$/);
    expect(await cells.nth(0).textContent()).toBe('Demo pilot');
    expect(await cells.nth(1).textContent()).toBe('Page visited: any page');
    expect(await cells.nth(3).textContent()).toBe('100');
    await expect.poll(() => cells.nth(5).textContent(), { timeout: 10_000 }).toMatch(/^\d+$/);
    expect(await cells.nth(4).textContent()).not.toBe('Never');
    expect(errors).toEqual([]);
    await close();
  });

  it('creates a flow from the dialog (name, pilot, description) and opens it; the name is required', async () => {
    const name = unique('Console created');
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Give the flow a name' }).waitFor();
    expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('AI pilot').selectOption({ label: 'Demo pilot' });
    await dialog.getByLabel('Description').fill('Made in the browser');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    expect(page.url()).toMatch(/\/admin\/flows\/flow_[A-Za-z0-9_-]+$/);
    const created = (await allFlows()).find((f) => f.draft.name === name);
    expect(created?.draft.description).toBe('Made in the browser');
    expect(created?.pilotId).toBe('pilot_demo');
    expect(created?.publishedVersion).toBeNull();
    await page.getByRole('link', { name: '← All flows' }).click();
    await expect
      .poll(() => flowRow(page, name).getByRole('cell').nth(2).textContent(), { timeout: 10_000 })
      .toBe('Draft');
    expect(errors).toEqual([]);
    await close();
  });

  it('duplicates a flow (fetching details of the copy only) and deletes the copy after confirming', async () => {
    const name = unique('Console dup');
    await adminApi('POST', '/flows', {
      schemaVersion: 1,
      name,
      pilotId: 'pilot_demo',
      trigger: { type: 'event', name: 'signup' },
      start: 'a',
      nodes: [{ id: 'a', type: 'end' }],
    });
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    await page.getByRole('button', { name: `Duplicate ${name}` }).waitFor();
    await detailsLoaded(page);
    const insights: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/insights')) insights.push(r.url());
    });
    await page.getByRole('button', { name: `Duplicate ${name}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Duplicated ${name}` })
      .waitFor();
    await expectFlowRows(page, `${name} (copy)`, 1);
    // The reloaded list fetches details of the new flow only (the rest are fresh): the API's
    // per-key budget is not spent on every change.
    const copyStatus = flowRow(page, `${name} (copy)`).getByRole('cell').nth(2);
    await expect.poll(() => copyStatus.textContent(), { timeout: 10_000 }).toBe('Draft');
    await detailsLoaded(page);
    expect(insights).toHaveLength(1);
    expect(await flowRow(page, `${name} (copy)`).getByRole('cell').nth(1).textContent()).toBe(
      'Event: signup',
    );
    // Cancel keeps it; confirming deletes it.
    await page.getByRole('button', { name: `Delete ${name} (copy)` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${name} (copy)?` });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expectFlowRows(page, `${name} (copy)`, 1);
    await page.getByRole('button', { name: `Delete ${name} (copy)` }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Delete flow' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Deleted ${name} (copy)` })
      .waitFor();
    await expectFlowRows(page, `${name} (copy)`, 0);
    await expectFlowRows(page, name, 1);
    expect((await allFlows()).filter((f) => f.draft.name.startsWith(name))).toHaveLength(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('says Unpublished for a flow taken offline, with its last publish date', async () => {
    const name = unique('Console offline');
    const flow = await adminApi<FlowView>('POST', '/flows', {
      schemaVersion: 1,
      name,
      pilotId: 'pilot_demo',
      trigger: { type: 'event', name: 'offline' },
      start: 'a',
      nodes: [{ id: 'a', type: 'end' }],
    });
    await adminApi('POST', `/flows/${flow.id}/publish`, { note: 'first' });
    await adminApi('POST', `/flows/${flow.id}/unpublish`, {});
    const { page, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    const cells = flowRow(page, name).getByRole('cell');
    await expect.poll(() => cells.nth(2).textContent(), { timeout: 10_000 }).toBe('Unpublished');
    expect(await cells.nth(4).textContent()).not.toMatch(/^(Never|…)$/);
    expect(await cells.nth(5).textContent()).toBe('0');
    await close();
  });

  it('works by keyboard: the dialog takes focus, Escape closes it and focus returns to its button', async () => {
    const { page, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    await page.getByRole('link', { name: 'Demo welcome' }).waitFor();
    const open = page.getByRole('button', { name: 'New flow' });
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Name').evaluate((el) => el === document.activeElement)).toBe(
      true,
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await open.evaluate((el) => el === document.activeElement)).toBe(true);
    await close();
  });

  it('refuses to delete a flow someone changed since the list loaded (If-Match), and deletes nothing', async () => {
    const name = unique('Console stale');
    const flow = await adminApi<FlowView>('POST', '/flows', {
      schemaVersion: 1,
      name,
      pilotId: 'pilot_demo',
      trigger: { type: 'event', name: 'stale' },
      start: 'a',
      nodes: [{ id: 'a', type: 'end' }],
    });
    const { page, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    await expectFlowRows(page, name, 1);
    // Someone else saves the draft after the list loaded.
    await adminApi('PUT', `/flows/${flow.id}`, { ...flow.draft, description: 'changed elsewhere' });
    await page.getByRole('button', { name: `Delete ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${name}?` });
    await confirm.getByRole('button', { name: 'Delete flow' }).click();
    await confirm.getByRole('alert').filter({ hasText: 'Someone changed this flow' }).waitFor();
    expect((await allFlows()).some((f) => f.id === flow.id)).toBe(true);
    await close();
  });

  it('searches by name and filters by pilot', async () => {
    const pilot = await adminApi<{ id: string }>('POST', '/pilots', {
      name: unique('Other pilot'),
    });
    const name = unique('Filtered flow');
    await adminApi('POST', '/flows', {
      schemaVersion: 1,
      name,
      pilotId: pilot.id,
      trigger: { type: 'new_conversation' },
      start: 'a',
      nodes: [{ id: 'a', type: 'end' }],
    });
    const { page, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    await expectFlowRows(page, name, 1);
    await expectFlowRows(page, 'Demo welcome', 1);
    await page.getByLabel('Search flows').fill(name.slice(0, 12).toUpperCase());
    await expectFlowRows(page, 'Demo welcome', 0);
    await expectFlowRows(page, name, 1);
    await page.getByLabel('Search flows').fill('');
    await page.getByLabel('Pilot', { exact: true }).selectOption(pilot.id);
    await expectFlowRows(page, name, 1);
    await expectFlowRows(page, 'Demo welcome', 0);
    await page.getByLabel('Search flows').fill('no flow is called this');
    await page.getByRole('cell', { name: 'No flow matches.' }).waitFor();
    await close();
  });

  it('exports a flow as the file `edgepilot pull` writes and imports it back as a new draft', async () => {
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    const demo = (await allFlows()).find((f) => f.id === 'flow_demo_welcome')!;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Demo welcome' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('demo-welcome.json');
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    expect(text).toBe(`${JSON.stringify({ id: demo.id, ...demo.draft }, null, 2)}\n`);

    // Import a renamed copy of the exported file.
    const name = unique('Imported');
    const file = { ...JSON.parse(text), name };
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a flow file' });
    await dialog.getByLabel('Flow file (.json)').setInputFiles({
      name: 'flow.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await dialog.getByText(`${name}: ${(demo.draft.nodes as unknown[]).length} steps`).waitFor();
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Imported ${name}` })
      .waitFor();
    await expectFlowRows(page, name, 1);
    const imported = (await allFlows()).find((f) => f.draft.name === name)!;
    expect(imported.id).not.toBe(demo.id);
    expect(imported.draft.nodes).toEqual(demo.draft.nodes);
    expect(imported.publishedVersion).toBeNull();
    expect(errors).toEqual([]);
    await close();
  });

  it('refuses an invalid flow file in the browser, naming the invalid fields, and sends nothing', async () => {
    const before = (await allFlows()).length;
    const { page, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a flow file' });
    await dialog.getByLabel('Flow file (.json)').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          schemaVersion: 1,
          name: 'Bad',
          pilotId: 'pilot_demo',
          priority: -5,
          trigger: { type: 'page_visited' },
          start: 'a',
          nodes: [],
        }),
      ),
    });
    await dialog.getByRole('alert').filter({ hasText: 'The file is not a valid flow' }).waitFor();
    const problems = dialog.getByRole('list', { name: 'Problems in the file' });
    expect(await problems.textContent()).toContain('priority');
    expect(await problems.textContent()).toContain('nodes');
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(
      true,
    );
    expect((await allFlows()).length).toBe(before);
    await close();
  });
});
