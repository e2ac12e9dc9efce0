/**
 * The console's pilot knowledge and workspace access pages (issue 14, settings) against
 * wrangler dev: an intent made in the browser is detected by "try a sentence", an article made
 * in the browser answers a paraphrase with its citation, an API key is shown once and then
 * revoked; every page is reached from the nav and audited by axe in light and dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { adminApi, baseUrl, openConsole, seriousViolations, signIn } from './console-page.ts';
import { createPilot } from './widget-page.ts';

const tag = Math.random().toString(36).slice(2, 8);
const pilotName = `Settings pilot ${tag}`;
let browser: Browser;
let pilot: { id: string; publicKey: string };

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({ name: pilotName });
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

/** Signs in, then follows the nav entry `label` and picks this file's pilot if asked. */
async function openFromNav(label: string, heading: string, pickPilot = false) {
  const admin = await openConsole(browser, '/admin');
  await signIn(admin.page);
  await admin.page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('link', { name: label })
    .click();
  await admin.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  if (pickPilot) {
    await admin.page.getByLabel('Pilot', { exact: true }).selectOption({ label: pilotName });
    await admin.page.waitForURL(new RegExp(`/${pilot.id}$`));
  }
  return admin;
}

describe('console settings pages', () => {
  it('creates an intent with training phrases, and "try a sentence" detects it with its entities', async () => {
    const admin = await openFromNav('Intents', 'Intents', true);
    const { page } = admin;
    await page.getByRole('table', { name: 'Intents' }).waitFor();
    await auditBoth(page, 'intents');

    await page.getByRole('button', { name: 'New intent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New intent' });
    await dialog.getByLabel('Name').fill(`refund_${tag}`);
    // Four phrases are too few: the form says so before sending anything.
    await dialog.getByLabel('Training phrases').fill('a\nb\nc\nd');
    await dialog.getByRole('button', { name: 'Save intent' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').first().textContent())
      .toContain('at least 5');
    await dialog
      .getByLabel('Training phrases')
      .fill(
        [
          'I want my money back',
          'refund my order please',
          'can I get a refund',
          'give me a refund for my purchase',
          'I was charged and want the money returned',
        ].join('\n'),
      );
    await dialog.getByRole('checkbox', { name: 'email' }).check();
    await auditBoth(page, 'new intent dialog');
    await dialog.getByRole('button', { name: 'Save intent' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: `refund_${tag}` }) });
    await row.waitFor();
    expect(await row.textContent()).toContain('email');

    await page
      .getByRole('textbox', { name: 'Sentence' })
      .fill('please refund me, write to ana@example.com');
    await page.getByRole('button', { name: 'Detect intent' }).click();
    const found = page.getByRole('status').filter({ hasText: 'Confidence' });
    await expect.poll(() => found.textContent()).toContain(`Intent: refund_${tag}`);
    expect(await found.textContent()).toContain('email = ana@example.com');
    await auditBoth(page, 'intents with a result');

    // Deleting asks first, then the model forgets the intent.
    await row.getByRole('button', { name: `Delete refund_${tag}` }).click();
    await page
      .getByRole('dialog', { name: 'Delete this intent?' })
      .getByRole('button', { name: 'Delete intent' })
      .click();
    await row.waitFor({ state: 'detached' });
    expect(admin.errors).toEqual([]);
    await admin.close();
  });

  it('adds a knowledge article and answers a paraphrase of it with the article cited', async () => {
    for (const article of [
      {
        title: 'Gift cards',
        url: 'https://help.example.com/gift-cards',
        body: 'Gift cards are sold in amounts from 10 to 200 euros and never expire.',
      },
      {
        title: 'Shipping times',
        url: 'https://help.example.com/shipping',
        body: 'Orders within Germany arrive in 2 to 3 business days. Express arrives the next day.',
      },
    ])
      await adminApi('POST', `/pilots/${pilot.id}/knowledge`, article);
    const admin = await openFromNav('Knowledge', 'Knowledge', true);
    const { page } = admin;
    await page
      .getByRole('table', { name: 'Knowledge articles' })
      .getByRole('rowheader', { name: 'Gift cards' })
      .waitFor();
    await auditBoth(page, 'knowledge');

    await page.getByRole('button', { name: 'New article' }).click();
    const dialog = page.getByRole('dialog', { name: 'New article' });
    await dialog.getByLabel('Title').fill('Gift wrapping');
    await dialog.getByLabel('Link').fill('https://help.example.com/gift-wrapping');
    await dialog
      .getByLabel('Text')
      .fill('Gift wrapping costs 3 euros per item. Choose it at checkout and add a personal note.');
    await dialog.getByRole('button', { name: 'Save article' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('rowheader', { name: 'Gift wrapping' }).waitFor();

    await page.getByRole('textbox', { name: 'Question' }).fill('What does gift wrapping cost?');
    await page.getByRole('button', { name: 'Ask the pilot' }).click();
    const answer = page.getByRole('article', { name: "The visitor's answer" });
    await answer.waitFor();
    expect(await answer.getByRole('heading', { level: 3 }).textContent()).toBe('The pilot answers');
    expect(await answer.textContent()).toContain('Gift wrapping costs 3 euros per item.');
    const cite = answer
      .getByRole('list', { name: 'Citations' })
      .getByRole('link', { name: 'Gift wrapping' });
    expect(await cite.getAttribute('href')).toBe('https://help.example.com/gift-wrapping');
    expect(await answer.textContent()).toMatch(/Confidence \d+%/);
    await auditBoth(page, 'knowledge with an answer');

    // A question no article covers says so, and what the visitor reads instead.
    await page.getByRole('textbox', { name: 'Question' }).fill('Do you sell bicycles?');
    await page.getByRole('button', { name: 'Ask the pilot' }).click();
    await expect
      .poll(() => answer.getByRole('heading', { level: 3 }).textContent())
      .toBe('No answer: the visitor reads the fallback message');
    expect(admin.errors).toEqual([]);
    await admin.close();
  });

  it('creates an API key shown once with a copy button, which works until it is revoked', async () => {
    const admin = await openFromNav('API keys', 'API keys');
    const { page } = admin;
    await page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    await auditBoth(page, 'api keys');

    const name = `CI ${tag}`;
    // By keyboard: the dialog takes focus on its first field; Space toggles, Enter submits.
    await page.getByRole('button', { name: 'New API key' }).focus();
    await page.keyboard.press('Enter');
    const create = page.getByRole('dialog', { name: 'New API key' });
    const nameField = create.getByLabel('Name');
    await expect.poll(() => nameField.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await create.getByRole('checkbox', { name: 'Read' }).isChecked()).toBe(false);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => create.getByRole('alert').first().textContent())
      .toContain('at least one scope');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await create.getByRole('checkbox', { name: 'Write' }).isChecked()).toBe(true);
    await nameField.focus();
    await page.keyboard.press('Enter');

    const shown = page.getByRole('dialog', { name: 'Your new API key' });
    const key = await shown.getByRole('textbox', { name: `Key ${name}` }).inputValue();
    expect(key).toMatch(/^ep_/);
    await auditBoth(page, 'new key dialog');
    await shown.getByRole('button', { name: 'Copy the key' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    // Shown once: the page keeps only the prefix.
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${key.slice(0, 7)}…`);
    expect(await row.textContent()).toContain('read, write');
    expect(await page.content()).not.toContain(key);
    const withKey = () =>
      fetch(`${baseUrl}/v1/admin/pilots`, { headers: { authorization: `Bearer ${key}` } });
    expect((await withKey()).status).toBe(200);

    await row.getByRole('button', { name: `Revoke ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
    expect(await confirm.textContent()).toContain('stops working at once');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await withKey()).status).toBe(401);
    expect(admin.errors).toEqual([]);
    await admin.close();
  });

  it('edits entities, global variables, team members and teams', async () => {
    const admin = await openFromNav('Entities and variables', 'Entities and variables', true);
    const { page } = admin;
    await page.getByRole('table', { name: 'Entities' }).waitFor();
    await auditBoth(page, 'entities and variables');
    await page.getByRole('button', { name: 'New entity' }).click();
    const entity = page.getByRole('dialog', { name: 'New entity' });
    await entity.getByLabel('Name').fill(`plan_${tag}`);
    await entity.getByLabel('Values').fill('pro: professional, premium\nfree');
    await entity.getByRole('button', { name: 'Save entity' }).click();
    await entity.waitFor({ state: 'hidden' });
    const entityRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: `plan_${tag}` }) });
    expect(await entityRow.textContent()).toContain('2 values');

    await page.getByRole('button', { name: 'New variable' }).click();
    const variable = page.getByRole('dialog', { name: 'New variable' });
    await variable.getByLabel('Name').fill('support_phone');
    await variable.getByLabel('Type').selectOption('number');
    await variable.getByLabel('Value').fill('not a number');
    await variable.getByRole('button', { name: 'Save variable' }).click();
    await expect
      .poll(() => variable.getByRole('alert').first().textContent())
      .toContain('Not a number');
    await variable.getByLabel('Value').fill('4930123');
    await variable.getByRole('button', { name: 'Save variable' }).click();
    await variable.waitFor({ state: 'hidden' });
    await page.getByRole('rowheader', { name: 'pilot.support_phone' }).waitFor();
    const stored = await adminApi<{ items: { name: string; value: unknown }[] }>(
      'GET',
      `/pilots/${pilot.id}/variables`,
    );
    expect(stored.items).toContainEqual(
      expect.objectContaining({ name: 'support_phone', value: 4930123 }),
    );

    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Team' })
      .click();
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Team members' }).waitFor();
    await auditBoth(page, 'team');
    await page.getByRole('button', { name: 'New team member' }).click();
    const member = page.getByRole('dialog', { name: 'New team member' });
    await member.getByLabel('Name').fill(`Rita ${tag}`);
    await member.getByLabel('Email').fill(`rita-${tag}@example.com`);
    await member.getByRole('button', { name: 'Save team member' }).click();
    await member.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'New team', exact: true }).click();
    const team = page.getByRole('dialog', { name: 'New team', exact: true });
    await team.getByLabel('Team name').fill(`Support ${tag}`);
    await team.getByRole('checkbox', { name: `Rita ${tag}` }).check();
    await team.getByRole('button', { name: 'Save team' }).click();
    await team.waitFor({ state: 'hidden' });
    const teamRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: `Support ${tag}` }) });
    expect(await teamRow.textContent()).toContain(`Rita ${tag}`);
    expect(admin.errors).toEqual([]);
    await admin.close();
  });
});
