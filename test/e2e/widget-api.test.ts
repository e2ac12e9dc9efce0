import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import {
  baseUrl,
  callApi,
  createPilot,
  openMessenger,
  publishFlow,
  readmeStub,
  visit,
  waitForText,
} from './widget-page.ts';

let browser: Browser;
let pilot: { id: string; publicKey: string };
const identitySecret = 'e2e-identity-secret-0123456789';

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({
    identitySecret,
    identityEnforced: true,
    appearance: { displayName: 'Api pilot', accentColor: '#0f766e' },
    fallbackMessage: 'Noted.',
  });
  const say = (id: string, text: string, next?: string) => ({
    id,
    type: 'send_message',
    text,
    ...(next ? { next } : {}),
  });
  await publishFlow({
    schemaVersion: 1,
    name: 'Typed answers',
    pilotId: pilot.id,
    trigger: { type: 'event', name: 'typed' },
    variables: [
      { name: 'email', type: 'text' },
      { name: 'phone', type: 'text' },
      { name: 'day', type: 'text' },
    ],
    start: 'ask',
    nodes: [
      {
        id: 'ask',
        type: 'ask_question',
        text: 'What is your email?',
        input: { kind: 'email' },
        saveTo: 'variable.email',
        next: 'thanks',
      },
      say('thanks', 'We will write to {{variable.email}}.', 'phone'),
      {
        id: 'phone',
        type: 'ask_question',
        text: 'And your phone number?',
        input: { kind: 'phone' },
        saveTo: 'variable.phone',
        next: 'day',
      },
      {
        id: 'day',
        type: 'ask_question',
        text: 'Which day suits you?',
        input: { kind: 'date' },
        saveTo: 'variable.day',
        next: 'booked',
      },
      say('booked', 'Booked: we will call {{variable.phone}}.'),
    ],
  });
  await publishFlow({
    schemaVersion: 1,
    name: 'Banner',
    pilotId: pilot.id,
    trigger: { type: 'event', name: 'promo' },
    start: 'banner',
    nodes: [
      {
        id: 'banner',
        type: 'show_banner',
        text: 'Winter sale: 20% off',
        url: 'https://shop.example/sale',
        style: 'success',
      },
    ],
  });
  await publishFlow({
    schemaVersion: 1,
    name: 'Redirect',
    pilotId: pilot.id,
    trigger: { type: 'event', name: 'checkout' },
    start: 'go',
    nodes: [{ id: 'go', type: 'redirect', url: '/spa/thanks' }],
  });
});
afterAll(async () => {
  await browser?.close();
});

const pilotPage = () => `/spa/?key=${pilot.publicKey}`;
const stored = (page: Page) =>
  page.evaluate(() => ({ local: { ...localStorage }, cookies: document.cookie }));

describe('the EdgePilot JavaScript API', () => {
  it('replays calls made through the two-line stub before the loader, then emits ready, open and message', async () => {
    const context = await browser.newContext();
    await context.addInitScript({ content: readmeStub() });
    await context.addInitScript(() => {
      const w = window as unknown as Record<string, unknown> & {
        EdgePilot: (...a: unknown[]) => void;
      };
      const seen: string[] = [];
      w.seen = seen;
      w.EdgePilot('on', 'ready', () => seen.push('ready'));
      w.EdgePilot('on', 'open', () => seen.push('open'));
      w.EdgePilot('on', 'message', (m: { author: string; text: string }) =>
        seen.push(`${m.author}: ${m.text}`),
      );
      w.EdgePilot('open');
    });
    const page = await context.newPage();
    await page.goto(`${baseUrl}${pilotPage()}`);
    const dialog = page.getByRole('dialog', { name: 'Api pilot' });
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: 'Message' }).fill('hello api');
    await dialog.getByRole('button', { name: 'Send' }).click();
    const seen = () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    await expect.poll(seen, { timeout: 15_000 }).toContain('pilot: Noted.');
    expect((await seen()).slice(0, 2)).toEqual(['ready', 'open']);
    expect(await seen()).toContain('visitor: hello api');
    // The pilot's accent colour themes the launcher.
    const launcher = page.getByRole('button', { name: 'Open chat', exact: true });
    expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(15, 118, 110)',
    );
    // The site's own theme wins over the pilot's: custom properties and ::part.
    await page.addStyleTag({
      content:
        'edgepilot-messenger { --ep-accent: rgb(190, 18, 60) } edgepilot-messenger::part(panel) { border-radius: 3px }',
    });
    expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(190, 18, 60)',
    );
    expect(await dialog.evaluate((el) => getComputedStyle(el).borderRadius)).toBe('3px');
    await callApi(page, 'close');
    await callApi(page, 'hide');
    expect(await launcher.isVisible()).toBe(false);
    await callApi(page, 'show');
    await callApi(page, 'showNewMessage', 'I have a question about');
    expect(await dialog.getByRole('textbox', { name: 'Message' }).inputValue()).toBe(
      'I have a question about',
    );
    // A `ready` listener added after the fact is told at once.
    const late = await page.evaluate(
      () =>
        new Promise((resolve) =>
          (window as unknown as { EdgePilot: (...a: unknown[]) => unknown }).EdgePilot(
            'on',
            'ready',
            () => resolve('told'),
          ),
        ),
    );
    expect(late).toBe('told');
    await callApi(page, 'shutdown');
    expect(await page.locator('edgepilot-messenger').count()).toBe(0);
    expect(await callApi(page, 'open')).toBeUndefined();
    await context.close();
  });

  it('writes nothing to storage or cookies before the visitor interacts or consents, nothing with data-storage="none", and nothing after consent(false)', async () => {
    const { context, page } = await visit(browser, '/');
    const dialog = await openMessenger(page);
    await waitForText(dialog.getByRole('log'), 'What brings you here today?');
    expect(await stored(page)).toEqual({ local: {}, cookies: '' });
    await dialog.getByRole('button', { name: 'Support' }).click();
    await expect
      .poll(async () => Object.keys((await stored(page)).local))
      .toContain('edgepilot:pk_demo:visitor');
    await context.close();

    const none = await visit(browser, '/spa/?key=pk_demo&storage=none');
    const noneDialog = await openMessenger(none.page);
    await noneDialog.getByRole('button', { name: 'Support' }).click({ timeout: 15_000 });
    await waitForText(noneDialog.getByRole('log'), 'let us talk about support');
    expect(await stored(none.page)).toEqual({ local: {}, cookies: '' });
    await none.context.close();

    const consent = await visit(browser, '/');
    await consent.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    await callApi(consent.page, 'consent', true);
    await expect
      .poll(async () => Object.keys((await stored(consent.page)).local))
      .toContain('edgepilot:pk_demo:visitor');
    await callApi(consent.page, 'consent', false);
    expect(await stored(consent.page)).toEqual({ local: {}, cookies: '' });
    // A withdrawn consent holds even when the visitor chats afterwards.
    const consentDialog = await openMessenger(consent.page);
    await consentDialog.getByRole('button', { name: 'Support' }).click({ timeout: 15_000 });
    await waitForText(consentDialog.getByRole('log'), 'let us talk about support');
    expect(await stored(consent.page)).toEqual({ local: {}, cookies: '' });
    await consent.context.close();
  });

  it('stores a signed visitor key, and a bare visitor id in storage (an older widget, or read from the admin API) resumes nothing', async () => {
    const victim = await visit(browser, '/');
    const victimLog = (await openMessenger(victim.page)).getByRole('log');
    await victimLog.page().getByRole('button', { name: 'Support' }).click({ timeout: 15_000 });
    await waitForText(victimLog, 'let us talk about support');
    const keyOf = async (page: Page) => (await stored(page)).local['edgepilot:pk_demo:visitor'];
    await expect.poll(() => keyOf(victim.page)).toMatch(/^v_[\w-]{16,64}\.[0-9a-f]{64}$/);
    const victimKey = (await keyOf(victim.page))!;
    // The part before the dot is the visitor id admins see (conversation list, live view).
    const visitorId = victimKey.split('.')[0]!;

    const attacker = await visit(browser, '/');
    await attacker.page.evaluate(
      (id) => localStorage.setItem('edgepilot:pk_demo:visitor', id),
      visitorId,
    );
    await attacker.page.reload();
    const attackerLog = (await openMessenger(attacker.page)).getByRole('log');
    await waitForText(attackerLog, 'What brings you here today?');
    // A fresh visitor: none of the victim's history, and the stale value is forgotten.
    expect(await attackerLog.locator('[data-author="visitor"]').count()).toBe(0);
    await expect.poll(() => keyOf(attacker.page)).toBeUndefined();
    await attackerLog.page().getByRole('button', { name: 'Pricing' }).click({ timeout: 15_000 });
    await waitForText(attackerLog, 'let us talk about pricing');
    await expect.poll(() => keyOf(attacker.page)).toMatch(/^v_[\w-]+\.[0-9a-f]{64}$/);
    expect((await keyOf(attacker.page))!.split('.')[0]).not.toBe(visitorId);
    await attacker.context.close();

    // The victim's key still brings back its own history, untouched by the attacker.
    await victim.page.reload();
    const history = (await openMessenger(victim.page)).getByRole('log');
    await waitForText(history, 'let us talk about support');
    expect(await history.locator('[data-author="visitor"]').allTextContents()).toEqual(['Support']);
    await victim.context.close();
  });

  it('identifies a contact only with a valid hash, and then shares their conversation across devices', async () => {
    const userId = `user-${Date.now()}`;
    const hash = createHmac('sha256', identitySecret).update(userId).digest('hex');
    const laptop = await visit(browser, pilotPage());
    await laptop.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    expect(
      await callApi(laptop.page, 'identify', { userId, hash, email: 'ada@example.com' }),
    ).toEqual({
      identified: true,
    });
    const dialog = await openMessenger(laptop.page, 'Api pilot');
    await dialog.getByRole('textbox', { name: 'Message' }).fill('secret order 42');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitForText(dialog.getByRole('log'), 'Noted.');

    const phone = await visit(browser, pilotPage());
    await phone.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    await callApi(phone.page, 'identify', { userId, hash });
    const phoneLog = (await openMessenger(phone.page, 'Api pilot')).getByRole('log');
    await waitForText(phoneLog, 'secret order 42');

    const attacker = await visit(browser, pilotPage());
    await attacker.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    for (const forged of [
      undefined,
      '0'.repeat(64),
      hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
    ]) {
      expect(await callApi(attacker.page, 'identify', { userId, hash: forged })).toEqual({
        identified: false,
      });
    }
    const attackerLog = (await openMessenger(attacker.page, 'Api pilot')).getByRole('log');
    await attackerLog.page().waitForTimeout(0);
    await attacker.page.getByRole('textbox', { name: 'Message' }).fill('anyone there?');
    await attacker.page.getByRole('button', { name: 'Send' }).click();
    await waitForText(attackerLog, 'Noted.');
    expect(await attackerLog.textContent()).not.toContain('secret order 42');

    await callApi(laptop.page, 'logout');
    await expect.poll(() => dialog.getByRole('log').textContent()).not.toContain('secret order 42');
    for (const ctx of [laptop, phone, attacker]) await ctx.context.close();
  });

  it('keeps an identify without a valid hash anonymous on a pilot without a secret: the same conversation, never the claimed contact', async () => {
    // The default pilot: no identity secret, nothing enforced.
    const plain = await createPilot({ fallbackMessage: 'Noted.' });
    await publishFlow({
      schemaVersion: 1,
      name: 'Greeting',
      pilotId: plain.id,
      trigger: { type: 'event', name: 'greet' },
      start: 'hi',
      nodes: [{ id: 'hi', type: 'send_message', text: 'Welcome, stranger.' }],
    });
    const userId = `alice-${Date.now()}@corp`;
    const alice = await visit(browser, `/spa/?key=${plain.publicKey}`);
    await alice.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    // A proactive message before any interaction: only this tab's memory knows the visitor.
    await callApi(alice.page, 'track', 'greet');
    const dialog = await openMessenger(alice.page, 'E2E pilot');
    const log = dialog.getByRole('log');
    await waitForText(log, 'Welcome, stranger.');
    expect(await callApi(alice.page, 'identify', { userId, email: 'alice@corp.example' })).toEqual({
      identified: false,
    });
    // Still the same anonymous conversation: the greeting stays, the visitor chats on.
    await dialog.getByRole('textbox', { name: 'Message' }).fill('my private note');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitForText(log, 'Noted.');
    expect(await log.textContent()).toContain('Welcome, stranger.');

    // Someone else claiming the same userId gets a conversation of their own.
    const stranger = await visit(browser, `/spa/?key=${plain.publicKey}`);
    await stranger.page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    expect(await callApi(stranger.page, 'identify', { userId })).toEqual({ identified: false });
    const strangerDialog = await openMessenger(stranger.page, 'E2E pilot');
    await strangerDialog.getByRole('textbox', { name: 'Message' }).fill('show me her messages');
    await strangerDialog.getByRole('button', { name: 'Send' }).click();
    const strangerLog = strangerDialog.getByRole('log');
    await waitForText(strangerLog, 'Noted.');
    expect(await strangerLog.textContent()).not.toContain('my private note');
    for (const ctx of [alice, stranger]) await ctx.context.close();
  });

  it('asks for an email, a phone number and a date with fitting fields, explaining invalid answers inline', async () => {
    const { context, page } = await visit(browser, pilotPage());
    const dialog = await openMessenger(page, 'Api pilot');
    await callApi(page, 'track', 'typed');
    await waitForText(dialog.getByRole('log'), 'What is your email?');
    const field = dialog.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => field.getAttribute('type')).toBe('email');
    await field.fill('not an email');
    await field.press('Enter');
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('Please enter a valid email address.');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.locator('[data-author="visitor"]').count()).toBe(0);
    await field.fill('ada@example.com');
    await field.press('Enter');
    await waitForText(dialog.getByRole('log'), 'We will write to ada@example.com.');
    expect(await alert.count()).toBe(0);

    await waitForText(dialog.getByRole('log'), 'And your phone number?');
    await expect.poll(() => field.getAttribute('type')).toBe('tel');
    await field.fill('call me maybe');
    await field.press('Enter');
    await expect.poll(() => alert.textContent()).toBe('Please enter a valid phone number.');
    await field.fill('+44 20 7946 0958');
    await field.press('Enter');

    await waitForText(dialog.getByRole('log'), 'Which day suits you?');
    await expect.poll(() => field.getAttribute('type')).toBe('date');
    await field.fill('2026-03-05');
    await field.press('Enter');
    await waitForText(dialog.getByRole('log'), 'Booked: we will call +442079460958.');
    await context.close();
  });

  it("shows a flow's banner until dismissed, and follows a flow's redirect to a path on the site", async () => {
    const { context, page } = await visit(browser, pilotPage());
    const fired: string[] = [];
    page.on('dialog', (d) => {
      fired.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    const banner = page.getByRole('status').filter({ hasText: 'Winter sale: 20% off' });
    await callApi(page, 'track', 'promo');
    const link = banner.getByRole('link', { name: 'Winter sale: 20% off' });
    expect(await link.getAttribute('href', { timeout: 15_000 })).toBe('https://shop.example/sale');
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => banner.count()).toBe(0);

    const navigated = page.waitForURL(`${baseUrl}/spa/thanks`, { timeout: 15_000 });
    await callApi(page, 'track', 'checkout');
    await navigated;
    expect(fired).toEqual([]);
    await context.close();
  });

  it('sends events by beacon while no socket is open', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Every socket is refused: the session exists, but events must go by beacon.
    await page.routeWebSocket(/\/socket/, (ws) => ws.close());
    // Waited for from before the visit: the session may be answered before the launcher shows.
    const session = page.waitForResponse((r) => r.url().endsWith('/session'));
    await page.goto(`${baseUrl}${pilotPage()}`);
    await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
    await session;
    // Opening wants the socket (refused here): events still go without it.
    await callApi(page, 'open');
    const beacon = page.waitForRequest(
      (r) =>
        r.url().endsWith(`/v1/widget/${pilot.publicKey}/events`) &&
        (r.postData() ?? '').includes('"typed"'),
    );
    await callApi(page, 'track', 'typed');
    const request = await beacon;
    const body = JSON.parse(request.postData() ?? '{}');
    expect(body.frames).toContainEqual(expect.objectContaining({ type: 'event', name: 'typed' }));
    expect((await request.response())?.status()).toBe(202);
    await context.close();
  });
});
