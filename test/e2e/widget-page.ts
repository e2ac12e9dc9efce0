/** Helpers for the messenger's browser tests: open it like a visitor, audit it, call the admin API. */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { admin, axeViolations, indexed } from './audit.ts';

export { admin, indexed };

export const baseUrl = inject('baseUrl');

/** The two-line stub exactly as the README documents it (tests run the documented code). */
export function readmeStub(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const stub = /<script>\n\s*(window\.EdgePilot \|\|=[^\n]+)\n<\/script>/.exec(readme)?.[1];
  if (!stub) throw new Error('README.md lost its EdgePilot stub');
  return stub;
}

/** A fresh visitor (new context: no storage) on `path`. */
export async function visit(browser: Browser, path: string, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  return { context, page };
}

/** Clicks the launcher and returns the dialog (named after the pilot's display name). */
export async function openMessenger(page: Page, name = 'Edgepilot demo') {
  await page.getByRole('button', { name: 'Open chat', exact: true }).click();
  // Found by CSS: on a small screen the open panel covers the whole page and the launcher hides.
  const launcher = page.locator('edgepilot-messenger .launcher');
  await expect.poll(() => launcher.getAttribute('aria-expanded')).toBe('true');
  // The launcher says "expanded" at once; the panel is drawn when its lazily loaded chunk
  // arrives, and only then does its entrance animation start.
  const dialog = page.getByRole('dialog', { name });
  await dialog.waitFor({ state: 'visible', timeout: 10_000 });
  await animationsDone(page);
  return dialog;
}

/** Waits for running CSS animations (the panel's entrance) so layout and colours are final. */
export function animationsDone(page: Page) {
  return page.evaluate(() =>
    Promise.all(
      [document.querySelector('edgepilot-messenger')?.shadowRoot?.getAnimations() ?? []]
        .flat()
        .map((a) => a.finished),
    ),
  );
}

/** Waits until the log's text contains `text`. */
export async function waitForText(log: Locator, text: string) {
  await expect.poll(() => log.textContent(), { timeout: 15_000 }).toContain(text);
}

/** Whether `locator` has focus inside its shadow root. */
export function isFocused(locator: Locator) {
  return locator.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement);
}

/** axe-core (from node_modules) run in the page; returns serious and critical violations. */
export async function seriousViolations(page: Page) {
  await animationsDone(page);
  return axeViolations(page, ['edgepilot-messenger']);
}

/** Creates and publishes a flow; returns its id. */
export async function publishFlow(flow: Record<string, unknown>): Promise<string> {
  const created = await admin<{ id: string }>('POST', '/flows', flow);
  await admin('POST', `/flows/${created.id}/publish`, { note: 'e2e' });
  return created.id;
}

/**
 * An agent who is online, so a handover finds a person. The workspace is shared with later test
 * files: call `setOffline` with the id when the file is done.
 */
export async function onlineAgent(name: string, email: string): Promise<string> {
  const agent = await admin<{ id: string }>('POST', '/users', { name, email });
  await admin('PUT', `/users/${agent.id}/presence`, { status: 'online' });
  return agent.id;
}

export async function setOffline(agentId: string): Promise<void> {
  await admin('PUT', `/users/${agentId}/presence`, { status: 'offline' });
}

/**
 * "Need a hand?" with "Talk to a human" (a handover saying "Connecting you to a person.", then
 * `done`) and "Just browsing" (`browse`); with nobody online the handover goes to `unavailable`.
 */
export function handoverQuestion(browse: string, unavailable: string) {
  return [
    {
      id: 'ask',
      type: 'ask_question',
      text: 'Need a hand?',
      input: {
        kind: 'buttons',
        options: [
          { label: 'Talk to a human', value: 'human', next: 'handover' },
          { label: 'Just browsing', value: 'browse', next: browse },
        ],
      },
    },
    {
      id: 'handover',
      type: 'handover',
      message: 'Connecting you to a person.',
      next: 'done',
      unavailable,
    },
  ];
}

/** Every author/text pair in the log, in order. */
export function transcript(log: Locator) {
  return log.locator('[data-author]').evaluateAll((els) =>
    els.map((el) => {
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE);
      return `${el.getAttribute('data-author')}: ${own.map((n) => n.textContent).join('')}`;
    }),
  );
}

/** Creates a pilot trusting 127.0.0.1 (no flows yet); returns its id and public key. */
export async function createPilot(settings: Record<string, unknown> = {}) {
  return admin<{ id: string; publicKey: string }>('POST', '/pilots', {
    name: 'E2E pilot',
    trustedDomains: ['127.0.0.1', 'localhost'],
    appearance: { displayName: 'E2E pilot' },
    ...settings,
  });
}

/** Calls the page's `EdgePilot(...)` and returns what its promise resolves to. */
export function callApi(page: Page, ...args: unknown[]) {
  return page.evaluate(
    (a) =>
      (window as unknown as { EdgePilot: (...x: unknown[]) => Promise<unknown> }).EdgePilot(...a),
    args,
  );
}
