import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../e2e/browser.ts';
import { admin, baseUrl, createPilot, openMessenger, waitForText } from '../../e2e/widget-page.ts';
import { openTrappedPage } from '../../e2e/xss-trap.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** What a visitor types; the flow then puts it into every URL, label and text of a rich message. */
const HOSTILE = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.domain)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
];

const AT = '{{variable.answer}}';

describe('hostile values in rich pilot messages', () => {
  it('never links or loads a non-http(s) URL and renders every label and text as text', async () => {
    const pilot = await createPilot();
    const created = await admin<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      pilotId: pilot.id,
      name: 'Rich echo',
      trigger: { type: 'event', name: 'rich' },
      variables: [{ name: 'answer', type: 'text' }],
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Type anything',
          input: { kind: 'text' },
          saveTo: 'variable.answer',
          next: 'show',
        },
        {
          id: 'show',
          type: 'send_message',
          text: `Echo ${AT}`,
          image: { url: AT, alt: AT },
          buttons: [
            { label: AT, url: AT },
            { label: `new tab ${AT}`, url: AT, newTab: true },
          ],
          cards: [{ title: AT, text: AT, imageUrl: AT, url: AT }],
          next: 'ask',
        },
      ],
    });
    await admin('POST', `/flows/${created.id}/publish`, {});

    const { context, page, dialogs } = await openTrappedPage(browser);
    await page.goto(`${baseUrl}/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'E2E pilot');
    const log = dialog.getByRole('log');
    await page.evaluate(() =>
      (window as unknown as { EdgePilot: (...a: unknown[]) => Promise<unknown> }).EdgePilot(
        'track',
        'rich',
      ),
    );
    await waitForText(log, 'Type anything');
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    for (const value of [...HOSTILE, 'https://docs.example.com/ok']) {
      await composer.fill(value);
      await composer.press('Enter');
      await waitForText(log, `Echo ${value.trim()}`);
    }

    const rendered = await log.evaluate((root) => {
      const elements = Array.from(root.querySelectorAll('.msg *'));
      return {
        tags: [...new Set(elements.map((el) => el.tagName))].sort(),
        handlers: elements.flatMap((el) =>
          el.getAttributeNames().filter((name) => name.toLowerCase().startsWith('on')),
        ),
        urls: elements.flatMap((el) =>
          ['href', 'src'].flatMap((attr) => (el.hasAttribute(attr) ? [el.getAttribute(attr)] : [])),
        ),
        text: root.textContent ?? '',
      };
    });
    expect(rendered.handlers).toEqual([]);
    // Only the rich view's own elements exist: nothing was parsed out of a value.
    for (const tag of rendered.tags)
      expect(['A', 'B', 'BUTTON', 'DIV', 'IMG', 'LI', 'P', 'UL']).toContain(tag);
    expect(rendered.urls.length).toBeGreaterThan(0);
    for (const url of rendered.urls) expect(new URL(url ?? '').protocol).toMatch(/^https?:$/);
    // The safe URL is linked and shown: the guard is not simply dropping everything.
    expect(rendered.urls).toContain('https://docs.example.com/ok');
    for (const value of HOSTILE) expect(rendered.text).toContain(`Echo ${value.trim()}`);
    await page.mouse.move(200, 200);
    expect(
      await page.evaluate(() => (window as unknown as { xssFired: string[] }).xssFired),
    ).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('renders a post built from hostile values (title, preview, body, call to action) as text, loading only https', async () => {
    const pilot = await createPilot({ appearance: { displayName: 'Post echo' } });
    const created = await admin<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      pilotId: pilot.id,
      name: 'Post echo',
      trigger: { type: 'event', name: 'post' },
      variables: [{ name: 'answer', type: 'text' }],
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Type anything',
          input: { kind: 'text' },
          saveTo: 'variable.answer',
          next: 'show',
        },
        {
          id: 'show',
          type: 'post',
          size: 'large',
          title: `Title ${AT}`,
          text: `Body ${AT}`,
          imageUrl: `https://cdn.example.com/${AT}`,
          cta: { label: `Go ${AT}`, url: `https://example.com/?q=${AT}` },
          delivery: 'snippet',
          next: 'small',
        },
        { id: 'small', type: 'post', text: `Snippet ${AT}`, delivery: 'snippet', next: 'ask' },
      ],
    });
    await admin('POST', `/flows/${created.id}/publish`, {});

    const { context, page, dialogs } = await openTrappedPage(browser);
    await page.goto(`${baseUrl}/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'Post echo');
    const log = dialog.getByRole('log');
    await page.evaluate(() =>
      (window as unknown as { EdgePilot: (...a: unknown[]) => Promise<unknown> }).EdgePilot(
        'track',
        'post',
      ),
    );
    await waitForText(log, 'Type anything');
    const composer = dialog.getByRole('textbox', { name: 'Message' });
    for (const value of HOSTILE) {
      await composer.fill(value);
      await composer.press('Enter');
      await waitForText(log, `Snippet ${value.trim()}`);
    }
    // Open every snippet, so their bodies are rendered and visible too.
    for (const summary of await log.locator('summary').all()) await summary.click();

    const rendered = await log.evaluate((root) => {
      const elements = Array.from(root.querySelectorAll('.msg *'));
      return {
        tags: [...new Set(elements.map((el) => el.tagName))].sort(),
        handlers: elements.flatMap((el) =>
          el.getAttributeNames().filter((name) => name.toLowerCase().startsWith('on')),
        ),
        urls: elements.flatMap((el) =>
          ['href', 'src'].flatMap((attr) => (el.hasAttribute(attr) ? [el.getAttribute(attr)] : [])),
        ),
        text: root.textContent ?? '',
      };
    });
    expect(rendered.handlers).toEqual([]);
    for (const tag of rendered.tags)
      expect(['A', 'B', 'DETAILS', 'DIV', 'IMG', 'SUMMARY']).toContain(tag);
    expect(rendered.urls.length).toBe(HOSTILE.length * 2);
    for (const url of rendered.urls) expect(new URL(url ?? '').protocol).toBe('https:');
    for (const value of HOSTILE) {
      expect(rendered.text).toContain(`Title ${value.trim()}`);
      expect(rendered.text).toContain(`Body ${value.trim()}`);
      expect(rendered.text).toContain(`Go ${value.trim()}`);
    }
    await page.mouse.move(200, 200);
    expect(
      await page.evaluate(() => (window as unknown as { xssFired: string[] }).xssFired),
    ).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
