import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchFrame, ServerFrame } from '../../shared/protocol.ts';
import { launchChromium } from './browser.ts';
import {
  admin,
  createPilot,
  openMessenger,
  publishFlow,
  seriousViolations,
  visit,
  waitForText,
} from './widget-page.ts';

let browser: Browser;
let pilot: { id: string; publicKey: string };

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({ appearance: { displayName: 'Rich pilot' } });
  await admin('POST', `/pilots/${pilot.id}/knowledge`, {
    title: 'Returns',
    url: 'https://help.example.com/returns',
    body: 'Returns are free within 30 days of delivery.',
  });
  await publishFlow({
    schemaVersion: 1,
    name: 'Plans with pictures',
    pilotId: pilot.id,
    trigger: { type: 'new_conversation' },
    // Flows refuse a literal `javascript:` link at publish; one a template renders (a variable,
    // an event prop, a webhook's answer) reaches the messenger, which must never make it a link.
    variables: [
      { name: 'script1', type: 'text', default: 'javascript:alert(1)' },
      { name: 'script2', type: 'text', default: 'JavaScript:alert(2)' },
    ],
    start: 'plans',
    nodes: [
      {
        id: 'plans',
        type: 'send_message',
        text: 'Here are our plans.',
        image: { url: 'https://cdn.example.com/plans.png', alt: 'Chart comparing the plans' },
        buttons: [
          { label: 'See pricing', url: 'https://example.com/pricing', newTab: true },
          { label: 'Read the docs', url: '/docs/setup' },
          { label: 'Run script', url: '{{variable.script1}}' },
        ],
        cards: [
          {
            title: 'Starter',
            text: 'For one <b>person</b>',
            imageUrl: 'https://cdn.example.com/starter.png',
            url: 'https://example.com/starter',
          },
          { title: 'Team', text: 'Up to 10 seats', url: '{{variable.script2}}' },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

describe('rich pilot messages in the messenger', () => {
  it('shows the image by its alt text, link buttons as links and cards as a list', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'Rich pilot');
    const log = dialog.getByRole('log');
    await waitForText(log, 'Here are our plans.');

    const image = log.getByRole('img', { name: 'Chart comparing the plans' });
    expect(await image.getAttribute('src')).toBe('https://cdn.example.com/plans.png');

    const pricing = log.getByRole('link', { name: 'See pricing' });
    expect(await pricing.getAttribute('href')).toBe('https://example.com/pricing');
    expect(await pricing.getAttribute('target')).toBe('_blank');
    expect(await pricing.getAttribute('rel')).toBe('noopener noreferrer');
    // A relative link resolves against the visitor's page and stays in the same tab.
    const docs = log.getByRole('link', { name: 'Read the docs' });
    expect(await docs.getAttribute('href')).toBe(new URL('/docs/setup', page.url()).href);
    expect(await docs.getAttribute('target')).toBeNull();
    // A javascript: URL is never a link.
    expect(await log.getByRole('link', { name: 'Run script' }).count()).toBe(0);
    expect(await log.locator('a[href^="javascript:" i]').count()).toBe(0);

    const cards = log.getByRole('list').getByRole('listitem');
    expect(await cards.allTextContents()).toEqual([
      'StarterFor one <b>person</b>',
      'TeamUp to 10 seats',
    ]);
    const starter = cards.nth(0).getByRole('link', { name: 'Starter' });
    expect(await starter.getAttribute('href')).toBe('https://example.com/starter');
    expect(await cards.nth(0).locator('img').getAttribute('src')).toBe(
      'https://cdn.example.com/starter.png',
    );
    // The card with an unsafe URL keeps its title as text, not as a link.
    expect(await cards.nth(1).getByRole('link').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // After a reload the replayed message is rich again.
    await page.reload();
    const again = await openMessenger(page, 'Rich pilot');
    await waitForText(again.getByRole('log'), 'Here are our plans.');
    const replayed = again.getByRole('log');
    expect(await replayed.getByRole('link', { name: 'See pricing' }).count()).toBe(1);
    expect(await replayed.getByRole('img', { name: 'Chart comparing the plans' }).count()).toBe(1);
    await context.close();
  });

  it('shows the pilot typing while a knowledge answer is prepared and hides it when the answer arrives', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const received: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => {
        if (payload === 'pong') return;
        // The messenger reads batches: a step's frames may come as one `batch` message.
        const parsed = JSON.parse(String(payload)) as ServerFrame | BatchFrame;
        for (const frame of parsed.type === 'batch' ? parsed.frames : [parsed]) {
          if (frame.type === 'typing') received.push(`typing:${frame.active}`);
          if (frame.type === 'message')
            received.push(`${frame.message.author}:${frame.message.text}`);
        }
      }),
    );
    const dialog = await openMessenger(page, 'Rich pilot');
    const log = dialog.getByRole('log');
    await waitForText(log, 'Here are our plans.');
    await dialog.getByRole('textbox', { name: 'Message' }).fill('are returns free?');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitForText(log, 'within 30 days');
    const turn = received.slice(received.indexOf('typing:true'));
    expect(turn[0]).toBe('typing:true');
    expect(turn.at(-1)).toMatch(/^pilot:Returns are free within 30 days/);
    expect(await dialog.getByRole('status').filter({ hasText: 'is typing' }).count()).toBe(0);
    await context.close();
  });
});
