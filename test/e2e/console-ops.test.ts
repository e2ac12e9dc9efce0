/**
 * The console's operations pages (issue 14) against wrangler dev, with a real visitor in a
 * second browser context: live view, agent inbox, enrollment logs, a run's page, insights and
 * pilot settings — each audited by axe in light and dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import {
  adminApi,
  adminKey,
  baseUrl,
  openConsole,
  seriousViolations,
  signIn,
} from './console-page.ts';
import {
  createPilot,
  handoverQuestion,
  onlineAgent,
  openMessenger,
  publishFlow,
  setOffline,
  waitForText,
} from './widget-page.ts';

const tag = Math.random().toString(36).slice(2, 8);
const pilotName = `Ops pilot ${tag}`;
const fallback = `Pilot fallback ${tag}`;
let browser: Browser;
let pilot: { id: string; publicKey: string };
let flowId: string;
let agentId: string;

beforeAll(async () => {
  browser = await launchChromium();
  // Handover needs an agent who is online.
  agentId = await onlineAgent(`Agent ${tag}`, `agent-${tag}@example.com`);
  pilot = await createPilot({ name: pilotName, fallbackMessage: fallback });
  flowId = await publishFlow({
    schemaVersion: 1,
    pilotId: pilot.id,
    name: `Ops flow ${tag}`,
    trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
    start: 'ask',
    nodes: [
      ...handoverQuestion('bye', 'bye'),
      { id: 'bye', type: 'send_message', text: 'Enjoy your visit!', next: 'done' },
      { id: 'done', type: 'end' },
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  // The workspace is shared with later test files: leave nobody online for their handovers.
  if (agentId) await setOffline(agentId);
});

/** A visitor on a page embedding the test pilot, with the messenger open. */
async function visitor() {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Who the visitor is: the enrollment log names their runs by it.
  const session = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.url().includes(`/${pilot.publicKey}/session`),
  );
  await page.goto(`${baseUrl}/spa/?key=${pilot.publicKey}`);
  const { visitorId } = (await (await session).json()) as { visitorId: string };
  const dialog = await openMessenger(page, 'E2E pilot');
  const log = dialog.getByRole('log');
  await waitForText(log, 'Need a hand?');
  const say = async (text: string) => {
    await dialog.getByRole('textbox', { name: 'Message' }).fill(text);
    await dialog.getByRole('button', { name: 'Send' }).click();
  };
  return { context, page, dialog, log, say, visitorId };
}

async function auditBoth(page: Page, what: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect(await seriousViolations(page), `${what} ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('console operations pages', () => {
  it('shows a visitor live, lists the handed-over conversation in the inbox, and the agent replies, hands back and closes', async () => {
    const admin = await openConsole(browser, '/admin/live');
    const sockets: string[] = [];
    admin.page.on('websocket', (ws) => sockets.push(ws.url()));
    const transcriptReads: string[] = [];
    admin.page.on('request', (req) => {
      if (/\/v1\/admin\/conversations\/[^/?]+(\?|$)/.test(req.url()))
        transcriptReads.push(req.url());
    });
    await signIn(admin.page);
    await admin.page.getByRole('heading', { name: 'Live view', level: 1 }).waitFor();
    await admin.page.getByLabel('Pilot', { exact: true }).selectOption({ label: pilotName });
    await admin.page
      .getByRole('status')
      .filter({ hasText: /^Live$/ })
      .waitFor();

    const guest = await visitor();
    const table = admin.page.getByRole('table', { name: 'Active conversations' });
    const row = table.getByRole('row').filter({ hasText: 'Need a hand?' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('ask');
    await auditBoth(admin.page, 'live view');

    await guest.dialog.getByRole('button', { name: 'Talk to a human' }).click();
    await waitForText(guest.log, 'Connecting you to a person.');
    await guest.say(`Is anyone there ${tag}?`);
    // Until a person writes, the pilot keeps answering (here, its fallback).
    await waitForText(guest.log, fallback);
    // The live view follows the visitor without a reload.
    const moved = table
      .getByRole('row')
      .filter({ hasText: fallback })
      .filter({ hasText: 'Handed over' });
    await moved.waitFor({ timeout: 15_000 });
    expect(await moved.textContent()).toContain('Handed over');

    await moved.getByRole('link').click();
    const panel = admin.page.getByRole('article', { name: /^Conversation with / });
    await panel.waitFor();
    const transcript = panel.getByRole('list', { name: 'Transcript' });
    await expect.poll(() => transcript.textContent()).toContain(`Is anyone there ${tag}?`);
    expect(await panel.textContent()).toContain('Handed over to an agent');
    // The handed-over view of the list has it, marked by its state.
    const listed = admin.page
      .getByRole('table', { name: 'Conversations' })
      .getByRole('row')
      .filter({ hasText: fallback })
      .filter({ hasText: 'Handed over' });
    await listed.waitFor({ timeout: 15_000 });
    await auditBoth(admin.page, 'inbox conversation');
    // Answer as a team member, online.
    await admin.page
      .getByLabel('Answer as', { exact: true })
      .selectOption({ label: `Agent ${tag}` });
    await admin.page.getByLabel('My presence', { exact: true }).selectOption('online');
    await admin.page.getByRole('status').filter({ hasText: 'Presence: online' }).waitFor();

    const reply = panel.getByLabel('Reply to the visitor');
    await reply.fill(`An agent here ${tag}`);
    await reply.press('Control+Enter');
    await waitForText(guest.log, `An agent here ${tag}`);

    // A new visitor message shows in the open conversation live.
    await guest.say(`Thanks agent ${tag}`);
    await expect
      .poll(() => transcript.textContent(), { timeout: 15_000 })
      .toContain(`Thanks agent ${tag}`);
    // It came by a read of only the messages the view had not drawn, and shows once.
    expect(transcriptReads.some((url) => /[?&]after=\d+/.test(url))).toBe(true);
    expect(
      await transcript
        .getByRole('listitem')
        .filter({ hasText: `Thanks agent ${tag}` })
        .count(),
    ).toBe(1);
    // The reply assigned the conversation to the chosen member: it is under "Assigned to me".
    await admin.page.getByLabel('Show', { exact: true }).selectOption('mine');
    await admin.page
      .getByRole('table', { name: 'Conversations' })
      .getByRole('row')
      .filter({ hasText: `Thanks agent ${tag}` })
      .waitFor({ timeout: 15_000 });

    await panel.getByRole('button', { name: 'Hand back to the pilot' }).click();
    await expect.poll(() => panel.textContent()).toContain('With the pilot');
    await guest.say(`Back to the pilot ${tag}`);
    await waitForText(guest.log, fallback);

    await panel.getByRole('button', { name: 'Close conversation' }).click();
    await expect.poll(() => panel.textContent()).toContain('Closed');
    await expect.poll(() => panel.getByLabel('Reply to the visitor').count()).toBe(0);

    // Every live socket was opened with a ticket, never with the admin key in its URL.
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) {
      expect(url).toContain('ticket=');
      expect(url).not.toContain(adminKey);
    }
    expect(admin.errors).toEqual([]);
    await guest.context.close();
    await admin.close();
  });

  it('lists runs with filters, explains and performs unenroll and retry, and counts them in insights', async () => {
    const waiting = await visitor();
    const browsing = await visitor();
    await browsing.dialog.getByRole('button', { name: 'Just browsing' }).click();
    await waitForText(browsing.log, 'Enjoy your visit!');

    const admin = await openConsole(browser, `/admin/runs?flowId=${flowId}`);
    await signIn(admin.page);
    await admin.page.getByRole('heading', { name: 'Enrollment logs', level: 1 }).waitFor();
    const runs = admin.page.getByRole('table', { name: 'Runs' });
    // The log is written by the events consumer: wait for both new runs, the browsing one
    // completed (the first test's completed run is listed already; until the consumer has the
    // browsing run's end it is listed as waiting, and the waiting filter below showed it).
    await expect
      .poll(
        async () => {
          await admin.page.getByRole('button', { name: 'Apply filters' }).click();
          return runs
            .getByRole('row')
            .filter({ hasText: browsing.visitorId })
            .filter({ hasText: 'completed' })
            .count();
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    await runs.getByRole('row').filter({ hasText: waiting.visitorId }).waitFor();
    await admin.page.getByLabel('Status', { exact: true }).selectOption('waiting');
    await admin.page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(async () => (await runs.getByRole('row').allTextContents()).slice(1))
      .not.toContainEqual(expect.stringContaining('completed'));
    const waitingRow = runs
      .getByRole('row')
      .filter({ hasText: waiting.visitorId })
      .filter({ hasText: 'waiting' });
    await waitingRow.waitFor();
    await auditBoth(admin.page, 'enrollment logs');
    // A bad version is named before any request.
    await admin.page.getByLabel('Version', { exact: true }).fill('0');
    await admin.page.getByRole('button', { name: 'Apply filters' }).click();
    await admin.page.getByRole('alert').filter({ hasText: 'A version number' }).waitFor();
    await admin.page.getByLabel('Version', { exact: true }).fill('');

    await waitingRow.getByRole('link').click();
    await admin.page.getByRole('heading', { name: /^Run / }).waitFor();
    const steps = admin.page.getByRole('table', { name: 'Step timeline' });
    await steps.getByRole('rowheader', { name: 'ask (ask_question)' }).waitFor();
    await auditBoth(admin.page, 'run page');

    await admin.page.getByRole('button', { name: 'Unenroll…' }).click();
    const unenroll = admin.page.getByRole('dialog', { name: 'Unenroll this run?' });
    expect(await unenroll.textContent()).toContain('cancels this run');
    await unenroll.getByRole('button', { name: 'Unenroll the run' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Run unenrolled' }).waitFor();
    await expect
      .poll(
        async () => {
          await admin.page.reload();
          return admin.page.getByRole('definition').first().textContent();
        },
        { timeout: 20_000 },
      )
      .toBe('cancelled');

    await admin.page.getByRole('button', { name: 'Retry…' }).click();
    const retry = admin.page.getByRole('dialog', { name: 'Retry this run?' });
    expect(await retry.textContent()).toContain('starts a new run of the published version');
    await retry.getByRole('button', { name: 'Retry the run' }).click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: /New run .* started/ })
      .waitFor();
    // The visitor is asked again by the new run.
    await expect
      .poll(async () => ((await waiting.log.textContent()) ?? '').split('Need a hand?').length - 1)
      .toBe(2);

    await admin.page.getByRole('link', { name: '← Runs of this flow' }).click();
    await admin.page.getByRole('link', { name: 'Insights of this flow' }).click();
    await admin.page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();
    expect(admin.page.url()).toContain(`flowId=${flowId}`);
    const totals = admin.page.getByRole('table', { name: 'Runs by outcome' });
    const count = (label: string) =>
      totals
        .getByRole('row')
        .filter({ has: admin.page.getByRole('rowheader', { name: label, exact: true }) })
        .getByRole('cell')
        .textContent();
    // Counted from the log the events consumer writes: reload until the unenroll is in.
    await expect
      .poll(
        async () => {
          await admin.page.reload();
          await totals.waitFor();
          return Promise.all(['Handed over', 'Cancelled', 'Triggered'].map(count));
        },
        { timeout: 20_000 },
      )
      // Triggered: the inbox test's visitor, the two here, and the run the retry started.
      .toEqual(['1', '1', '4']);
    const choices = admin.page.getByRole('table', { name: 'Per choice' });
    await choices.getByRole('rowheader', { name: 'browse' }).waitFor();
    await choices.getByRole('rowheader', { name: 'human' }).waitFor();
    // Side by side with a version that never ran: the totals of both, in one table.
    await admin.page.getByLabel('Compare with version', { exact: true }).fill('2');
    const compared = admin.page.getByRole('table', { name: 'Version all compared with version 2' });
    const triggered = compared
      .getByRole('row')
      .filter({ has: admin.page.getByRole('rowheader', { name: 'Triggered', exact: true }) });
    await expect.poll(() => triggered.getByRole('cell').allTextContents()).toEqual(['4', '0']);
    await auditBoth(admin.page, 'insights');
    expect(admin.errors).toEqual([]);
    await waiting.context.close();
    await browsing.context.close();
    await admin.close();
  });

  it('edits pilot settings: preview follows the accent colour, the identity secret is shown once, enforcement needs it, bad domains are named', async () => {
    const admin = await openConsole(browser, '/admin/pilots');
    await signIn(admin.page);
    await admin.page.getByRole('table', { name: 'Pilots' }).waitFor();
    await auditBoth(admin.page, 'pilots list');
    await admin.page.getByRole('link', { name: pilotName }).click();
    await admin.page.getByRole('heading', { name: `${pilotName}: settings` }).waitFor();
    await auditBoth(admin.page, 'pilot settings');

    // The preview is the real messenger in a frame: its launcher takes the picked colour.
    const launcher = admin.page
      .frameLocator('iframe[title="Messenger preview"]')
      .locator('edgepilot-messenger .launcher');
    await admin.page.getByLabel('Accent colour').fill('#ff0000');
    await expect
      .poll(() => launcher.evaluate((el) => getComputedStyle(el).backgroundColor), {
        timeout: 15_000,
      })
      .toBe('rgb(255, 0, 0)');

    const enforce = admin.page.getByLabel('Enforce identity verification');
    expect(await enforce.isDisabled()).toBe(true);
    await admin.page.getByRole('button', { name: 'Create an identity secret…' }).click();
    await admin.page.getByRole('button', { name: 'Make a new secret' }).click();
    const shown = admin.page.getByRole('dialog', { name: 'Your new identity secret' });
    const secret = await shown.getByLabel('Identity secret').inputValue();
    expect(secret).toMatch(/^is_/);
    await shown.getByRole('button', { name: 'Done' }).click();
    expect(await admin.page.content()).not.toContain(secret);
    await enforce.check();

    await admin.page
      .getByLabel('Domains allowed to embed the messenger')
      .fill('127.0.0.1\nnot a domain!');
    await admin.page.getByRole('button', { name: 'Save settings' }).click();
    await admin.page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await admin.page.getByText('Use a host name such as example.com').first().waitFor();

    await admin.page
      .getByLabel('Domains allowed to embed the messenger')
      .fill('127.0.0.1\nlocalhost');
    await admin.page.getByRole('button', { name: 'Save settings' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Pilot settings saved' }).waitFor();
    const saved = await adminApi<Record<string, unknown>>('GET', `/pilots/${pilot.id}`);
    expect(saved).toMatchObject({
      appearance: { accentColor: '#ff0000' },
      identityEnforced: true,
      hasIdentitySecret: true,
      trustedDomains: ['127.0.0.1', 'localhost'],
    });
    expect(JSON.stringify(saved)).not.toContain(secret);
    const snippet = await admin.page.getByLabel('Script tag for your site').inputValue();
    expect(snippet).toContain(`data-pilot-key="${pilot.publicKey}"`);
    // The refused save's 400 is the only error the browser logs.
    expect(admin.errors.filter((e) => !e.includes('400 (Bad Request)'))).toEqual([]);
    await admin.close();
  });
});
