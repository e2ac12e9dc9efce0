import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { consoleEsbuildOptions } from '../../scripts/console-esbuild.mjs';
import { launchChromium } from './browser.ts';
import { seriousViolations } from './console-page.ts';

const root = join(import.meta.dirname, '../..');
const ORIGIN = 'http://forms.test';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

let browser: Browser;
let files: Map<string, { type: string; body: string }>;

beforeAll(async () => {
  // The forms bundled exactly as the console bundles them, with the console's stylesheet.
  const result = await build({
    ...consoleEsbuildOptions(root),
    entryPoints: {
      forms: join(root, 'test/e2e/console-forms-harness.ts'),
      style: join(root, 'console/styles/index.css'),
    },
    outdir: '/harness',
    write: false,
  });
  files = new Map();
  for (const out of result.outputFiles ?? []) {
    const name = out.path.split('/').pop()!;
    files.set(`/${name}`, {
      type: name.endsWith('.css') ? 'text/css' : 'text/javascript',
      body: out.text,
    });
  }
  files.set('/', {
    type: 'text/html',
    body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console forms</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/style.css"><script type="module" src="/forms.js"></script></head><body><div id="app"></div></body></html>',
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openForms(colorScheme: 'light' | 'dark' = 'light') {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route(`${ORIGIN}/**`, (route) => {
    const file = files.get(new URL(route.request().url()).pathname);
    if (!file) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({
      status: 200,
      contentType: file.type,
      headers: { 'content-security-policy': CSP },
      body: file.body,
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.getByRole('heading', { name: 'Console forms' }).waitFor();
  return { page, errors, close: () => context.close() };
}

const shown = async (page: Page, name: string) =>
  JSON.parse((await page.getByLabel(`${name} value`, { exact: true }).textContent()) ?? 'null');

describe('console forms in Chromium', () => {
  it('have no serious or critical axe violation, light and dark, and run under the strict CSP', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const { page, errors, close } = await openForms(scheme);
      // Open the parts that appear on demand, so axe sees them too.
      await page.getByRole('button', { name: 'Add a rule to conditions' }).click();
      await page.getByRole('button', { name: 'Add a group to conditions' }).click();
      await page.getByRole('button', { name: '+ URL rule' }).click();
      await page.getByLabel('Message text', { exact: true }).focus();
      await page.keyboard.type('{{con');
      await page.getByRole('listbox', { name: 'Variables for Message text' }).waitFor();
      await page
        .getByLabel('Only when one of these users or teams is available')
        .waitFor({ state: 'attached' });
      expect(await seriousViolations(page), scheme).toEqual([]);
      expect(errors).toEqual([]);
      await close();
    }
  });

  it('builds a nested condition by keyboard: rule, operator with a list value, group, not, any', async () => {
    const { page, close } = await openForms();
    await page.getByRole('button', { name: 'Add a rule to conditions' }).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Rule 1 namespace').selectOption('visitor');
    await page.getByLabel('Rule 1 field').fill('country');
    await page.getByLabel('Rule 1 operator').selectOption({ label: 'is one of' });
    await page.getByLabel('Rule 1 value (comma-separated)').fill('FR, DE');
    expect(await shown(page, 'Condition')).toEqual({
      all: [{ field: 'visitor.country', op: 'in', value: ['FR', 'DE'] }],
    });
    await page.getByRole('button', { name: 'Add a group to conditions' }).click();
    await page.getByLabel('Rule 2.1 operator').selectOption({ label: 'is not empty' });
    await page.getByLabel('Negate rule 1', { exact: false }).check();
    await page.getByLabel('Conditions: match all or any').selectOption('any');
    expect(await shown(page, 'Condition')).toEqual({
      any: [
        { not: { field: 'visitor.country', op: 'in', value: ['FR', 'DE'] } },
        { any: [{ field: 'contact.email', op: 'is_not_empty' }] },
      ],
    });
    // A field the schema refuses is announced next to the rule.
    await page.getByLabel('Rule 1 field').fill('');
    await page.getByRole('alert').filter({ hasText: 'namespace.path' }).waitFor();
    await page.getByRole('button', { name: 'Remove rule 1' }).click();
    await page.getByRole('button', { name: 'Remove group 1' }).click();
    expect(await shown(page, 'Condition')).toBeNull();
    await close();
  });

  it('tests a URL against the rules and names the rule that matches', async () => {
    const { page, close } = await openForms();
    const result = page.locator('.url-test output');
    await page.getByLabel('Test a URL').fill('https://shop.example/pricing?utm_source=ads');
    await expect.poll(() => result.textContent()).toBe('Matches: no rules means every page');
    await page.getByRole('button', { name: '+ URL rule' }).click();
    await page.getByLabel('URL rule 1 operator').selectOption('is');
    await page.getByLabel('URL rule 1 value').fill('/pricing');
    await expect.poll(() => result.textContent()).toBe('Matches rule 1 (is /pricing)');
    await page.getByLabel('Test a URL').fill('https://shop.example/pricing-old');
    await expect.poll(() => result.textContent()).toBe('Does not match any rule');
    await page.getByLabel('URL rule 1 operator').selectOption('matches');
    await page.getByLabel('URL rule 1 value').fill('(?=a)b');
    await page.getByRole('alert').filter({ hasText: 'Regex never matches' }).waitFor();
    expect(await shown(page, 'URL rules')).toEqual([{ op: 'matches', value: '(?=a)b' }]);
    await close();
  });

  it('completes a template from the variables in scope with the keyboard, and flags unknown ones', async () => {
    const { page, close } = await openForms();
    const input = page.getByRole('combobox', { name: 'Message text' });
    await input.focus();
    await page.keyboard.type('Hi {{first');
    const list = page.getByRole('listbox', { name: 'Variables for Message text' });
    await list.waitFor();
    // Preact renders after the key events: read the DOM by polling, never once.
    await expect.poll(() => input.getAttribute('aria-expanded')).toBe('true');
    await expect
      .poll(() => list.getByRole('option').first().textContent())
      .toBe('contact.first_name');
    await page.keyboard.press('Enter');
    await expect.poll(() => input.inputValue()).toBe('Hi {{contact.first_name}}');
    await expect.poll(() => input.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.type(', plan {{var');
    await expect.poll(() => list.getByRole('option').first().textContent()).toBe('variable.plan');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Tab');
    await expect
      .poll(() => input.inputValue())
      .toBe('Hi {{contact.first_name}}, plan {{variable.plan}}');
    await page.keyboard.type(' {{pilot.sup');
    await expect.poll(() => input.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => input.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.type('port}} {{variable.nope}}');
    await page.getByRole('alert').filter({ hasText: 'Variable "nope" is not declared' }).waitFor();
    await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
    expect(await shown(page, 'Message text')).toBe(
      'Hi {{contact.first_name}}, plan {{variable.plan}} {{pilot.support}} {{variable.nope}}',
    );
    await close();
  });

  it('edits flow variables, flags a bad name, and lists pilot globals read-only', async () => {
    const { page, close } = await openForms();
    await page.getByRole('button', { name: '+ Variable' }).click();
    await page.getByLabel('Variable 2 name').fill('1bad');
    await page
      .getByRole('alert')
      .filter({ hasText: 'Name: letters, digits and underscores' })
      .waitFor();
    await page.getByLabel('Variable 2 name').fill('count');
    await page.getByLabel('Variable 2 type').selectOption('number');
    await page.getByLabel('Variable 2 default').fill('3');
    expect(await shown(page, 'Variables')).toEqual([
      { name: 'plan', type: 'text' },
      { name: 'count', type: 'number', default: 3 },
    ]);
    await page.getByRole('rowheader', { name: 'pilot.support_email' }).waitFor();
    expect(await page.getByRole('cell', { name: '"help@example.com"' }).count()).toBe(1);
    // The template field now offers the new variable.
    await page.getByRole('combobox', { name: 'Message text' }).focus();
    await page.keyboard.type('{{variable.c');
    await page.getByRole('option', { name: 'variable.count' }).waitFor();
    await close();
  });

  it('sets frequency, cooldown, time window and availability with users', async () => {
    const { page, close } = await openForms();
    await page.getByLabel('Once per visitor (per contact once identified)').check();
    expect((await shown(page, 'Settings')).frequency).toBe('once');
    await page.getByLabel('Every time the trigger matches').check();
    await page.getByLabel('Wait between two runs for the same visitor').check();
    await page.getByLabel('Cooldown unit').selectOption('days');
    expect((await shown(page, 'Settings')).cooldownSeconds).toBe(86_400);
    await page.getByLabel('During office hours').check();
    await page.getByLabel('Availability rule').selectOption('specific_available');
    await page.getByRole('alert').filter({ hasText: 'Pick at least one user or team' }).waitFor();
    await page.getByLabel('Ada').check();
    await page.getByLabel('Sales').check();
    expect(await shown(page, 'Settings')).toEqual({
      start: { mode: 'immediately' },
      stop: { mode: 'never' },
      frequency: 'every_time',
      cooldownSeconds: 86_400,
      timeWindow: 'office_hours',
      availability: { mode: 'specific_available', users: ['user_1'], teams: ['team_1'] },
    });
    await page.getByLabel('At a date and time').check();
    await page.getByLabel('Stop at (your local time)').fill('2020-01-01T10:00');
    expect((await shown(page, 'Settings')).stop).toEqual({
      mode: 'custom',
      at: new Date('2020-01-01T10:00').toISOString().replace('.000Z', 'Z'),
    });
    await close();
  });
});
