/**
 * A run's path on the canvas of the version it ran on, and its replay against an edited draft
 * (issue 14), against wrangler dev with a real visitor: the visitor's run fails on a webhook the
 * SSRF guard refuses; the run page lights the path and marks the failed step; after the draft
 * is rewired, the replay shows where the draft's path parts from the recorded one.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { adminApi, openConsole, seriousViolations, signIn } from './console-page.ts';
import { createPilot, openMessenger, publishFlow, visit, waitForText } from './widget-page.ts';

const tag = Math.random().toString(36).slice(2, 8);
let browser: Browser;
let pilot: { id: string; publicKey: string };
let flowId: string;

const flow = (sendTo: string) => ({
  schemaVersion: 1,
  pilotId: pilot.id,
  name: `Path flow ${tag}`,
  trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
  start: 'ask',
  nodes: [
    {
      id: 'ask',
      type: 'ask_question',
      text: 'Shall we call you back?',
      input: {
        kind: 'buttons',
        options: [
          { label: 'Send my details', value: 'send', next: sendTo },
          { label: 'Just browsing', value: 'browse', next: 'bye' },
        ],
      },
    },
    // A private address: the SSRF guard refuses it, and without onError the run fails here.
    {
      id: 'hook',
      type: 'http_request',
      method: 'POST',
      url: 'http://10.0.0.1/hook',
      next: 'thanks',
    },
    { id: 'thanks', type: 'send_message', text: 'Thanks, we will call.', next: 'done' },
    { id: 'bye', type: 'send_message', text: 'Enjoy your visit!', next: 'done' },
    { id: 'done', type: 'end' },
  ],
});

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({ name: `Path pilot ${tag}` });
  flowId = await publishFlow(flow('hook'));
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

describe('a run on the canvas', () => {
  it('lights the path on its version with the failed step, then replays it against the edited draft and shows where they part', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'E2E pilot');
    await waitForText(dialog.getByRole('log'), 'Shall we call you back?');
    await dialog.getByRole('button', { name: 'Send my details' }).click();

    // The enrollment log is written by the events consumer: wait for the failed run.
    type Runs = { items: { id: string; status: string }[] };
    let runId = '';
    await expect
      .poll(
        async () => {
          const runs = await adminApi<Runs>('GET', `/flows/${flowId}/enrollments`);
          runId = runs.items.find((r) => r.status === 'failed')?.id ?? '';
          return runId;
        },
        { timeout: 30_000, interval: 500 },
      )
      .not.toBe('');
    // The draft now skips the webhook: the same visitor would go straight to "thanks".
    await adminApi('PUT', `/flows/${flowId}`, flow('thanks'));

    const admin = await openConsole(browser, `/admin/runs/${runId}`);
    await signIn(admin.page);
    await admin.page.getByRole('heading', { name: 'Path on version 1' }).waitFor();
    const recorded = admin.page.getByRole('region', {
      name: "Canvas of version 1 with the run's path",
    });
    const hook = recorded.getByLabel('Step hook (http_request)');
    await hook.waitFor();
    expect(await hook.textContent()).toContain('failed');
    expect(await recorded.getByLabel('Step ask (ask_question)').textContent()).toContain('path');
    // Steps the run never reached are not lit, and the connection it took is.
    expect(await recorded.getByLabel('Step bye (send_message)').textContent()).not.toMatch(
      /path|failed/,
    );
    await recorded.getByLabel('ask Send my details to hook (taken)').waitFor({ state: 'attached' });
    expect(await recorded.getByLabel('ask Just browsing to bye (taken)').count()).toBe(0);
    await auditBoth(admin.page, 'run page with its path');

    await admin.page.getByRole('button', { name: 'Replay against the draft' }).click();
    await admin.page.getByRole('heading', { name: 'Replay against the draft' }).waitFor();
    const summary = admin.page.getByRole('region', { name: 'Replay result' });
    await summary
      .getByRole('status')
      .filter({ hasText: /Replayed \d+ of \d+ inputs/ })
      .waitFor();
    expect(await summary.textContent()).toContain(
      'First divergent step: step 2 — the run went to hook, the draft goes to thanks',
    );
    expect(
      await summary.getByRole('list', { name: 'Only in the recorded run' }).textContent(),
    ).toContain('hook');
    const draftOnly = await summary
      .getByRole('list', { name: "Only in the draft's path" })
      .textContent();
    expect(draftOnly).toContain('done');
    const draft = admin.page.getByRole('region', { name: 'Draft canvas with the replayed path' });
    expect(await draft.getByLabel('Step thanks (send_message)').textContent()).toContain(
      'diverged',
    );
    expect(await draft.getByLabel('Step hook (http_request)').textContent()).toContain('run-only');
    await draft.getByLabel('ask Send my details to thanks (taken)').waitFor({ state: 'attached' });
    await auditBoth(admin.page, 'run page with the replay');

    // Back to the recorded path without another request.
    await admin.page.getByRole('button', { name: 'Show the recorded path' }).click();
    await admin.page.getByRole('heading', { name: 'Path on version 1' }).waitFor();
    expect(admin.errors).toEqual([]);
    await context.close();
    await admin.close();
  });

  it('counts on the canvas the visitors waiting at each step, live, and opens one in the inbox', async () => {
    const admin = await openConsole(browser, `/admin/flows/${flowId}`);
    await signIn(admin.page);
    await admin.page.getByRole('button', { name: 'Live counts' }).click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: 'Live counts: Live' })
      .waitFor({ timeout: 15_000 });

    // A visitor arrives after the canvas opened: the count shows up without a reload.
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'E2E pilot');
    await waitForText(dialog.getByRole('log'), 'Shall we call you back?');
    const count = admin.page.getByRole('button', { name: /^1 waiting at ask: list them$/ });
    await count.waitFor({ timeout: 15_000 });
    await auditBoth(admin.page, 'editor with live counts');

    // Turning it off removes the counts; on again, the socket's snapshot brings them back.
    const toggle = admin.page.getByRole('button', { name: 'Live counts' });
    await toggle.click();
    await expect.poll(() => count.count()).toBe(0);
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await count.waitFor({ timeout: 15_000 });

    await count.click();
    const list = admin.page.getByRole('dialog', { name: 'Waiting at ask' });
    const link = list.getByRole('list', { name: 'Conversations waiting at ask' }).getByRole('link');
    await link.first().waitFor();
    expect(await link.count()).toBe(1);
    await auditBoth(admin.page, 'live list');
    await link.click();
    await admin.page.getByRole('article', { name: /^Conversation with / }).waitFor();
    expect(admin.page.url()).toContain('/admin/inbox/');
    expect(admin.errors).toEqual([]);
    await context.close();
    await admin.close();
  });
});
