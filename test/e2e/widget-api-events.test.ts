import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import {
  admin,
  baseUrl,
  callApi,
  createPilot,
  indexed,
  openMessenger,
  publishFlow,
  readmeStub,
  visit,
  waitForText,
} from './widget-page.ts';

let browser: Browser;
let pilot: { id: string; publicKey: string };

const say = (id: string, text: string) => ({ id, type: 'send_message', text });

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({
    appearance: { displayName: 'Events pilot' },
    fallbackMessage: 'Noted.',
  });
  const flow = (name: string, trigger: unknown, text: string) =>
    publishFlow({
      schemaVersion: 1,
      name,
      pilotId: pilot.id,
      trigger,
      start: 'say',
      nodes: [say('say', text)],
    });
  await flow(
    'Plans for newsletter readers',
    {
      type: 'page_visited',
      urls: [{ op: 'contains', value: '/spa/plans' }],
      utm: { source: 'newsletter' },
    },
    'Newsletter readers get the Pro plan free for a month. ({{visitor.page_title}}, from {{visitor.referrer}})',
  );
  await flow(
    'Manual page view',
    { type: 'page_visited', urls: [{ op: 'is', value: `${baseUrl}/docs/setup` }] },
    'Need help with the setup?',
  );
  await flow('Language', { type: 'event', name: 'which_language' }, 'Flows see: {{system.locale}}');
  await flow(
    'Who am I',
    { type: 'event', name: 'whoami' },
    'Hello {{contact.name}} ({{contact.email}}), you are on {{contact.plan}}.',
  );
});
afterAll(async () => {
  await browser?.close();
});

/**
 * A page whose listeners were registered through the README's stub before the loader ran:
 * every event lands in `window.seen` as "event: detail".
 */
async function pageWithListeners(path: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await context.addInitScript({ content: readmeStub() });
  await context.addInitScript(() => {
    const w = window as unknown as Record<string, unknown> & {
      EdgePilot: (...a: unknown[]) => void;
    };
    const seen: string[] = [];
    w.seen = seen;
    for (const name of ['ready', 'open', 'close', 'message', 'unread', 'error']) {
      const listener = (detail: unknown) =>
        seen.push(detail === undefined ? name : `${name}: ${JSON.stringify(detail)}`);
      w[`on_${name}`] = listener;
      w.EdgePilot('on', name, listener);
    }
  });
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  return { context, page };
}

const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: string[] }).seen);

/** The visitor's conversation id, once the server knows the conversation (a socket connected). */
async function conversationOf(page: Page): Promise<string> {
  const session = await page.waitForResponse((r) => r.url().endsWith('/session'));
  const { conversationId } = (await session.json()) as { conversationId: string };
  await expect
    .poll(
      () =>
        admin(`GET`, `/conversations/${conversationId}`).then(
          () => true,
          () => false,
        ),
      {
        timeout: 15_000,
      },
    )
    .toBe(true);
  return conversationId;
}

describe('EdgePilot events and page tracking', () => {
  it('starts a page_visited flow when an SPA navigates with pushState, with its UTM source, new title and referrer', async () => {
    const { context, page } = await visit(
      browser,
      `/spa/?key=${pilot.publicKey}&utm_source=newsletter`,
    );
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    await launcher.waitFor();
    await page.getByRole('link', { name: 'Plans' }).click();
    expect(new URL(page.url()).pathname).toBe('/spa/plans');
    const bubble = page
      .getByRole('status')
      .filter({ hasText: 'Newsletter readers get the Pro plan free for a month.' });
    await expect.poll(() => bubble.count(), { timeout: 15_000 }).toBe(1);
    // The page view carried the new title, and the previous URL as its referrer.
    expect(await bubble.textContent()).toContain(
      `(Plans — Acme Outdoor SPA, from ${baseUrl}/spa/?key=${pilot.publicKey}&utm_source=newsletter)`,
    );
    expect(await launcher.getAttribute('data-unread')).toBe('1');
    await context.close();
  });

  it('reports a manual page view with page(url), resolving a relative URL against the page', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'Events pilot');
    await callApi(page, 'page', '/docs/setup');
    await waitForText(dialog.getByRole('log'), 'Need help with the setup?');
    await context.close();
  });

  it('passes update() contact fields to flows without unlocking storage', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'Events pilot');
    await callApi(page, 'update', { name: 'Grace', email: 'grace@example.com', plan: 'pro' });
    await callApi(page, 'track', 'whoami');
    await waitForText(dialog.getByRole('log'), 'Hello Grace (grace@example.com), you are on pro.');
    expect(await page.evaluate(() => ({ ...localStorage }))).toEqual({});
    await context.close();
  });

  it('tells flows the language chosen with setLocale while connected', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}&locale=en`);
    const dialog = await openMessenger(page, 'Events pilot');
    const log = dialog.getByRole('log');
    await callApi(page, 'track', 'which_language');
    await waitForText(log, 'Flows see: en');
    await callApi(page, 'setLocale', 'es');
    await dialog.getByRole('button', { name: 'Enviar' }).waitFor();
    await callApi(page, 'track', 'which_language');
    await waitForText(log, 'Flows see: es');
    await context.close();
  });

  it('toggles the panel and emits open, close, unread and agent messages until off() removes a listener', async () => {
    const { context, page } = await pageWithListeners(`/spa/?key=${pilot.publicKey}`);
    const conversationId = await conversationOf(page);
    const dialog = page.getByRole('dialog', { name: 'Events pilot' });
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });

    await callApi(page, 'toggle');
    await dialog.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    await callApi(page, 'toggle');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await seen(page)).toEqual(['ready', 'open', 'close']);

    // An agent answers while the panel is closed: a message, then one unread.
    await indexed(conversationId);
    await admin('POST', `/conversations/${conversationId}/messages`, {
      text: 'Hi, this is Sam from support.',
    });
    await expect.poll(() => launcher.getAttribute('data-unread'), { timeout: 15_000 }).toBe('1');
    expect((await seen(page)).slice(3)).toEqual([
      'message: {"author":"agent","text":"Hi, this is Sam from support.","seq":1}',
      'unread: 1',
    ]);
    await callApi(page, 'open');
    await waitForText(dialog.getByRole('log'), 'Hi, this is Sam from support.');
    expect(await launcher.getAttribute('data-unread')).toBeNull();
    expect((await seen(page)).slice(5)).toEqual(['open', 'unread: 0']);

    // Without the message listener, the next agent message is shown but not reported.
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & {
        EdgePilot: (...a: unknown[]) => Promise<unknown>;
      };
      return w.EdgePilot('off', 'message', w.on_message);
    });
    await admin('POST', `/conversations/${conversationId}/messages`, { text: 'Still there?' });
    await waitForText(dialog.getByRole('log'), 'Still there?');
    expect((await seen(page)).filter((e) => e.startsWith('message'))).toHaveLength(1);
    await context.close();
  });

  it('keeps the visitor token out of reach of the host page and out of URLs', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const socketUrls: string[] = [];
    page.on('websocket', (ws) => socketUrls.push(ws.url()));
    const session = page.waitForResponse((r) => r.url().endsWith('/session'));
    await page.goto(`${baseUrl}/spa/?key=${pilot.publicKey}`);
    const { token } = (await (await session).json()) as { token: string };
    const dialog = await openMessenger(page, 'Events pilot');
    await dialog.getByRole('textbox', { name: 'Message' }).fill('hello');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitForText(dialog.getByRole('log'), 'Noted.');
    const found = await page.evaluate((secret) => {
      const hits: string[] = [];
      const seenObjects = new Set<unknown>();
      // Everything a host script can reach from the element: own and inherited properties.
      const walk = (value: unknown, path: string, depth: number) => {
        if (typeof value === 'string') {
          if (value.includes(secret)) hits.push(path);
          return;
        }
        if (!value || typeof value !== 'object' || seenObjects.has(value) || depth > 4) return;
        if (value instanceof Node && path !== 'element') return;
        seenObjects.add(value);
        const keys = new Set<string>();
        for (let o = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o))
          for (const key of Object.getOwnPropertyNames(o)) keys.add(key);
        for (const key of keys) {
          let child: unknown;
          try {
            child = (value as Record<string, unknown>)[key];
          } catch {
            continue;
          }
          walk(child, `${path}.${key}`, depth + 1);
        }
      };
      walk(document.querySelector('edgepilot-messenger'), 'element', 0);
      walk({ ...localStorage }, 'localStorage', 0);
      walk({ ...sessionStorage }, 'sessionStorage', 0);
      walk(document.cookie, 'cookie', 0);
      return hits;
    }, token);
    expect(found).toEqual([]);
    // Nor in any URL (servers and proxies log URLs): the socket carries it as a subprotocol.
    expect(socketUrls.length).toBeGreaterThan(0);
    expect(socketUrls.filter((url) => url.includes(token))).toEqual([]);
    await context.close();
  });

  it('emits an error and stops connecting when the page is not a trusted domain of the pilot', async () => {
    const untrusted = await createPilot({
      trustedDomains: ['shop.example'],
      appearance: { displayName: 'Elsewhere' },
    });
    const { context, page } = await pageWithListeners(`/spa/?key=${untrusted.publicKey}`);
    await expect
      .poll(() => seen(page), { timeout: 15_000 })
      .toContainEqual(expect.stringContaining('error: {"code":"origin_not_allowed"'));
    const dialog = await openMessenger(page, 'Elsewhere');
    await expect
      .poll(() => dialog.getByRole('status').first().textContent())
      .toBe('Chat is not available on this site.');
    await context.close();
  });
});
