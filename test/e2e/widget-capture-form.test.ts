/**
 * Capture Contact in the messenger (issue 19): one form step, errors per field tied to their
 * inputs and announced, the server's own check, then the contact saved and the transcript
 * emailed through the outbox.
 */
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const subject = `Capture form transcript ${crypto.randomUUID()}`;

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await createPilot({ appearance: { displayName: 'Form pilot' } });
  await publishFlow({
    schemaVersion: 1,
    name: 'Capture form e2e',
    pilotId: pilot.id,
    trigger: { type: 'new_conversation' },
    start: 'form',
    nodes: [
      {
        id: 'form',
        type: 'capture_contact',
        text: 'How can we reach you?',
        fields: [
          { field: 'name', label: 'Name', required: true },
          { field: 'email', label: 'Email', kind: 'email', required: true },
          { field: 'phone', label: 'Phone', kind: 'phone' },
        ],
        next: 'mail',
      },
      {
        id: 'mail',
        type: 'email_conversation',
        to: { kind: 'address', address: 'sales@example.com' },
        subject,
        next: 'saved',
      },
      { id: 'saved', type: 'send_message', text: 'Saved, thanks {{contact.name}}.' },
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

/** The error an input's aria-describedby names, if it is an alert (announced when it appears). */
function describedAlert(input: Locator) {
  return input.evaluate((el) => {
    const id = el.getAttribute('aria-describedby');
    const target = id ? (el.getRootNode() as ShadowRoot).getElementById(id) : null;
    return target ? { role: target.getAttribute('role'), text: target.textContent } : null;
  });
}

describe('capture contact form in the messenger', () => {
  it('shows a bad email error tied to its field and announced, takes the server check, then saves', async () => {
    const { context, page } = await visit(browser, `/spa/?key=${pilot.publicKey}`);
    const dialog = await openMessenger(page, 'Form pilot');
    const log = dialog.getByRole('log');
    await waitForText(log, 'How can we reach you?');
    const name = dialog.getByRole('textbox', { name: /^Name/ });
    const email = dialog.getByRole('textbox', { name: /^Email/ });
    const phone = dialog.getByRole('textbox', { name: /^Phone/ });
    // Labelled inputs, required ones exposed as such.
    expect(await name.getAttribute('required')).not.toBeNull();
    expect(await phone.getAttribute('required')).toBeNull();

    // Keyboard only: type, Tab to the next field, Enter submits.
    await name.focus();
    await page.keyboard.type('Ada');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ada@');
    await page.keyboard.press('Enter');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await describedAlert(email)).toEqual({
      role: 'alert',
      text: 'Please enter a valid email address.',
    });
    expect(await name.getAttribute('aria-invalid')).toBe('false');
    expect(await seriousViolations(page)).toEqual([]);

    // A phone the messenger lets through but the server refuses (too many digits): the server's
    // error comes back for that field and is shown the same way.
    await email.fill('ada@example.com');
    await phone.fill('12345678901234567');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => phone.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    expect(await describedAlert(phone)).toEqual({
      role: 'alert',
      text: 'That does not look like a phone number. Please try again.',
    });

    await dialog.getByRole('textbox', { name: /^Name/ }).fill('Ada');
    await dialog.getByRole('textbox', { name: /^Email/ }).fill('ada@example.com');
    await dialog.getByRole('textbox', { name: /^Phone/ }).fill('+44 20 7946 0000');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await waitForText(log, 'Saved, thanks Ada.');
    // The form is gone: the composer is back.
    expect(await dialog.getByRole('textbox', { name: 'Message' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    // The transcript email, as the admin API lists it.
    await expect
      .poll(
        async () =>
          (
            await admin<{ items: { subject: string; to: string; data: { body: string } }[] }>(
              'GET',
              '/outbox?limit=100',
            )
          ).items.filter((e) => e.subject === subject),
        { timeout: 15_000 },
      )
      .toEqual([
        expect.objectContaining({
          to: 'sales@example.com',
          data: expect.objectContaining({
            body: expect.stringContaining(
              'You: Name: Ada\nEmail: ada@example.com\nPhone: +44 20 7946 0000',
            ),
          }),
        }),
      ]);
    await context.close();
  });
});
