/**
 * The canvas editor by keyboard only (issue 13): the same flow as the mouse test in
 * console-editor.test.ts (page-visited trigger on /pricing, a message, a button question with
 * two options, a condition on the answer) built, saved and published with Tab, Enter, typing,
 * arrow keys and shortcuts, never a click and never a scripted focus(); then a visitor on a
 * customer page of another origin gets it. Playwright reads the page only to know where the
 * focus is and which option a choice shows.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { adminApi, adminKey, openConsole, seriousViolations } from './console-page.ts';
import { type CustomerSite, startCustomerSite } from './customer-site.ts';
import { openMessenger } from './widget-page.ts';

let browser: Browser;
let pilot: { id: string; publicKey: string };
let customer: CustomerSite;

beforeAll(async () => {
  browser = await launchChromium();
  pilot = await adminApi('POST', '/pilots', {
    name: 'Keyboard pilot',
    trustedDomains: ['127.0.0.1'],
    appearance: { displayName: 'Keyboard pilot' },
  });
  customer = await startCustomerSite(pilot.publicKey);
});
afterAll(async () => {
  await customer?.close();
  await browser?.close();
});

const isFocused = (l: Locator) => l.evaluate((el) => el === document.activeElement);

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus: proves it is reachable by keyboard.
 * Bounded: a page with more stops than `max` between here and there fails the test.
 */
async function tabTo(page: Page, target: Locator, { back = false, max = 150 } = {}) {
  await target.waitFor();
  for (let i = 0; i < max; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`not reached by ${back ? 'Shift+Tab' : 'Tab'} in ${max} presses: ${target}`);
}

/** Tabs to a text field and types into it (after selecting what it held). */
async function typeInto(page: Page, target: Locator, text: string, back = false) {
  await tabTo(page, target, { back });
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

/** Tabs to a closed <select> and moves its choice with the arrow keys until it shows `value`. */
async function choose(page: Page, select: Locator, value: string, back = false) {
  await tabTo(page, select, { back });
  const index = (v: string) =>
    select.evaluate(
      (el, want) =>
        Array.from((el as unknown as HTMLSelectElement).options).findIndex((o) => o.value === want),
      v,
    );
  const wanted = await index(value);
  if (wanted < 0) throw new Error(`no option ${value} in ${select}`);
  const now = await select.evaluate((el) => (el as unknown as HTMLSelectElement).selectedIndex);
  for (let i = 0; i < Math.abs(wanted - now); i++)
    await page.keyboard.press(wanted > now ? 'ArrowDown' : 'ArrowUp');
  await expect.poll(() => select.inputValue()).toBe(value);
}

const step = (page: Page, id: string) =>
  page.getByRole('group', { name: new RegExp(`^Step ${id} \\(`) });
const panel = (page: Page) => page.getByRole('tabpanel');
const field = (page: Page, name: string | RegExp) =>
  panel(page).getByLabel(name, { exact: typeof name === 'string' });
const status = (page: Page) => page.getByRole('status').filter({ hasText: /./ }).first();

/** Tabs to a step (or the trigger) on the canvas and selects it with Enter. */
async function selectOnCanvas(page: Page, node: Locator) {
  await tabTo(page, node);
  await page.keyboard.press('Enter');
  await expect.poll(() => node.getAttribute('class')).toContain('selected');
}

describe('flow editor by keyboard', () => {
  it('builds, saves and publishes the pricing flow with the keyboard only, and a visitor gets it', async () => {
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    // Sign in: the key field, then Enter submits the form.
    await typeInto(page, page.getByLabel('Admin API key'), adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();

    // New flow: the button, then the dialog's fields, all by Tab and typing.
    await tabTo(page, page.getByRole('button', { name: 'New flow' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await typeInto(page, dialog.getByLabel('Name'), 'Keyboard pricing');
    const pilotChoice = dialog.getByLabel('AI pilot');
    await choose(page, pilotChoice, pilot.id);
    await tabTo(page, dialog.getByRole('button', { name: 'Create' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keyboard pricing', level: 1 }).waitFor();
    const flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    await step(page, 'welcome').waitFor();

    // Trigger: select its card on the canvas, add a URL rule "contains /pricing".
    await selectOnCanvas(page, page.getByRole('group', { name: 'Trigger', exact: true }));
    await tabTo(page, panel(page).getByRole('button', { name: '+ URL rule' }));
    await page.keyboard.press('Enter');
    await choose(page, field(page, 'URL rule 1 operator'), 'contains');
    await typeInto(page, field(page, 'URL rule 1 value'), '/pricing');

    // The message: back to the canvas (Shift+Tab), select the step, type its text.
    await tabTo(page, step(page, 'welcome'), { back: true });
    await page.keyboard.press('Enter');
    await expect.poll(() => step(page, 'welcome').getAttribute('class')).toContain('selected');
    await typeInto(page, field(page, 'Message'), 'Welcome to pricing!');

    // A button question, inserted with the "+" on the welcome -> end connection.
    await tabTo(page, page.getByRole('button', { name: 'Insert a step on welcome next to end' }), {
      back: true,
    });
    await page.keyboard.press('Enter');
    const add = page.getByRole('dialog', { name: /Add a step after welcome/ });
    await tabTo(page, add.getByRole('button', { name: 'Ask question' }));
    await page.keyboard.press('Enter');
    await step(page, 'ask_question_1').waitFor();
    await typeInto(page, field(page, 'Question'), 'Which plan suits you?');
    const options = panel(page).getByRole('group', { name: 'Buttons' });
    await typeInto(page, options.getByLabel('Label', { exact: true }).first(), 'Starter');
    await typeInto(page, options.getByLabel('Value', { exact: true }).first(), 'starter');
    await typeInto(page, options.getByLabel('Label', { exact: true }).nth(1), 'Business');
    await typeInto(page, options.getByLabel('Value', { exact: true }).nth(1), 'business');
    await typeInto(page, field(page, 'Save answer to (variable.name)'), 'variable.plan');

    // The flow variable: the panel's tabs move with the arrow keys.
    await tabTo(page, page.getByRole('tab', { name: 'Inspector' }), { back: true });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => isFocused(page.getByRole('tab', { name: 'Flow Manager' }))).toBe(true);
    await tabTo(page, panel(page).getByRole('button', { name: '+ Variable' }));
    await page.keyboard.press('Enter');
    await typeInto(page, field(page, 'Variable 1 name'), 'plan');
    await tabTo(page, page.getByRole('tab', { name: 'Flow Manager' }), { back: true });
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');

    // A condition from the palette (Shift+Tab back to it), built in the inspector.
    await tabTo(
      page,
      page.getByRole('group', { name: 'Add Logic' }).getByRole('button', { name: 'Condition' }),
      { back: true },
    );
    await page.keyboard.press('Enter');
    await step(page, 'condition_1').waitFor();
    await choose(page, field(page, 'Rule 1 namespace'), 'variable');
    await typeInto(page, field(page, 'Rule 1 field'), 'plan');
    await choose(page, field(page, 'Rule 1 operator'), 'eq');
    await typeInto(page, field(page, /^Rule 1 value/), 'business');
    // Its connections: the inspector's "Connect … to…" choices.
    await choose(page, field(page, /^Connect branch 1/), 'end');
    await choose(page, field(page, /^Connect else/), 'end');

    // The question's two answers go to the condition: select the question on the canvas.
    await tabTo(page, step(page, 'ask_question_1'), { back: true });
    await page.keyboard.press('Enter');
    await expect
      .poll(() => step(page, 'ask_question_1').getAttribute('class'))
      .toContain('selected');
    await choose(page, field(page, /^Connect Starter/), 'condition_1');
    await choose(page, field(page, /^Connect Business/), 'condition_1');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(7);

    // No errors; save with Ctrl+S, publish with a note.
    await tabTo(page, page.getByRole('tab', { name: 'Inspector' }), { back: true });
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByText(/^0 errors/).count()).toBe(1);
    await page.keyboard.press('Control+s');
    await expect.poll(() => status(page).textContent()).toMatch(/Saved/);
    await tabTo(page, page.getByRole('button', { name: 'Publish', exact: true }), { back: true });
    await page.keyboard.press('Enter');
    const publish = page.getByRole('dialog', { name: 'Publish this flow' });
    await typeInto(page, publish.getByLabel('Note for this version'), 'Keyboard pricing flow');
    await tabTo(page, publish.getByRole('button', { name: 'Publish now' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => status(page).textContent()).toMatch(/Published version 1/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);

    const saved = await adminApi<{
      draft: { trigger: unknown; variables: { name: string }[]; nodes: unknown[] };
    }>('GET', `/flows/${flowId}`);
    expect(saved.draft.trigger).toEqual({
      type: 'page_visited',
      urls: [{ op: 'contains', value: '/pricing' }],
    });
    expect(saved.draft.variables.map((v) => v.name)).toEqual(['plan']);
    expect(saved.draft.nodes).toContainEqual(
      expect.objectContaining({
        id: 'condition_1',
        branches: [
          { when: { all: [{ field: 'variable.plan', op: 'eq', value: 'business' }] }, next: 'end' },
        ],
        else: 'end',
      }),
    );
    await close();

    // A visitor on the customer's pricing page sees the flow in the messenger.
    const context = await browser.newContext();
    const visitor = await context.newPage();
    await visitor.goto(`${customer.url}/customer/pricing`);
    const launcher = visitor.getByRole('button', { name: 'Open chat', exact: true });
    await expect.poll(() => launcher.getAttribute('data-unread'), { timeout: 20_000 }).toBe('2');
    const messenger = await openMessenger(visitor, 'Keyboard pilot');
    await messenger.getByText('Welcome to pricing!').waitFor();
    await messenger.getByText('Which plan suits you?').waitFor();
    await messenger.getByRole('button', { name: 'Business' }).waitFor();
    await messenger.getByRole('button', { name: 'Starter' }).waitFor();
    await context.close();
  });
});
