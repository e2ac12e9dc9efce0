/**
 * The canvas editor in Chromium against wrangler dev: build a flow by mouse and see a visitor
 * get it, a save conflict between two tabs, undo/redo, compare and restore. Elements are found
 * by role and accessible name; only the canvas handles (drag targets with no role) by CSS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { adminApi, baseUrl, openConsole, seriousViolations, signIn } from './console-page.ts';
import { openMessenger } from './widget-page.ts';

let browser: Browser;
let pilot: { id: string; publicKey: string };
/**
 * The customer's site: a real HTTP server on another port, so another origin than the Worker
 * (a page fulfilled by the test would count as a public address, and Chromium's local-network
 * rules would then block the embed from loopback).
 */
let customer: Server;
let CUSTOMER = '';

beforeAll(async () => {
  browser = await launchChromium();
  customer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<!doctype html><html lang="en"><title>Pricing</title><h1>Pricing</h1><script async src="${baseUrl}/widget.js" data-pilot-key="${pilot.publicKey}"></script>`,
    );
  });
  await new Promise<void>((resolve) => customer.listen(0, '127.0.0.1', resolve));
  CUSTOMER = `http://127.0.0.1:${(customer.address() as AddressInfo).port}`;
  pilot = await adminApi('POST', '/pilots', {
    name: 'Editor pilot',
    trustedDomains: ['127.0.0.1'],
    appearance: { displayName: 'Editor pilot' },
  });
});
afterAll(async () => {
  customer?.close();
  await browser?.close();
});

const step = (page: Page, id: string) =>
  page.getByRole('group', { name: new RegExp(`^Step ${id} \\(`) });
const handle = (page: Page, id: string, port: string) =>
  page.locator(
    `.react-flow__node[data-id="${id}"] .react-flow__handle.source[data-handleid="${port}"]`,
  );
const target = (page: Page, id: string) =>
  page.locator(`.react-flow__node[data-id="${id}"] .react-flow__handle.target`);

/** Drags from one handle to another with the mouse, the way an admin connects two steps. */
async function drag(page: Page, from: ReturnType<typeof handle>, to: ReturnType<typeof handle>) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function createFlow(page: Page, name: string) {
  await page.getByRole('button', { name: 'New flow' }).click();
  const dialog = page.getByRole('dialog', { name: 'New flow' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('AI pilot').selectOption({ label: 'Editor pilot' });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  const flowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  return flowId;
}

const panel = (page: Page) => page.getByRole('tabpanel');
const field = (page: Page, name: string) => panel(page).getByLabel(name, { exact: true });
const status = (page: Page) => page.getByRole('status').filter({ hasText: /./ }).first();

describe('flow editor canvas', () => {
  it('builds a flow by mouse, saves and publishes it, and a visitor on a customer page gets it', async () => {
    const { page, errors, close } = await openConsole(browser, '/admin/flows');
    await signIn(page);
    const flowId = await createFlow(page, 'Mouse pricing');
    await step(page, 'welcome').waitFor();

    // Trigger: page visited, URL contains /pricing.
    await page.getByRole('group', { name: 'Trigger', exact: true }).click();
    await panel(page).getByRole('button', { name: '+ URL rule' }).click();
    await field(page, 'URL rule 1 operator').selectOption('contains');
    await field(page, 'URL rule 1 value').fill('/pricing');
    // The rules' "test a URL" box says whether a page matches.
    await field(page, 'Test a URL').fill('https://shop.example/pricing?plan=pro');

    // The message: select it and write its text.
    await step(page, 'welcome').click();
    await field(page, 'Message').fill('Welcome to pricing!');

    // A button question inserted with "+" on the welcome -> end connection.
    await page.getByRole('button', { name: 'Insert a step on welcome next to end' }).click();
    await page
      .getByRole('dialog', { name: /Add a step after welcome/ })
      .getByRole('button', { name: 'Ask question' })
      .click();
    await step(page, 'ask_question_1').waitFor();
    await field(page, 'Question').fill('Which plan suits you?');
    const options = panel(page).getByRole('group', { name: 'Buttons' });
    await options.getByLabel('Label', { exact: true }).first().fill('Starter');
    await options.getByLabel('Value', { exact: true }).first().fill('starter');
    await options.getByLabel('Label', { exact: true }).nth(1).fill('Business');
    await options.getByLabel('Value', { exact: true }).nth(1).fill('business');
    await field(page, 'Save answer to (variable.name)').fill('variable.plan');

    // The flow variable the question saves to.
    await page.getByRole('tab', { name: 'Flow Manager' }).click();
    await panel(page).getByRole('button', { name: '+ Variable' }).click();
    await field(page, 'Variable 1 name').fill('plan');
    await page.getByRole('tab', { name: 'Inspector' }).click();

    // A condition on the answer from the palette, connected by dragging.
    await page
      .getByRole('group', { name: 'Add Logic' })
      .getByRole('button', { name: 'Condition' })
      .click();
    await step(page, 'condition_1').waitFor();
    // The condition builder: variable.plan equals business.
    await field(page, 'Rule 1 namespace').selectOption('variable');
    await field(page, 'Rule 1 field').fill('plan');
    await field(page, 'Rule 1 operator').selectOption('eq');
    await panel(page)
      .getByLabel(/^Rule 1 value/)
      .fill('business');
    await page.getByRole('button', { name: 'Tidy up' }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/Tidied the flow/);
    await page.getByRole('button', { name: 'Fit View' }).click();
    await drag(
      page,
      handle(page, 'ask_question_1', 'input.options[0].next'),
      target(page, 'condition_1'),
    );
    await drag(
      page,
      handle(page, 'ask_question_1', 'input.options[1].next'),
      target(page, 'condition_1'),
    );
    await drag(page, handle(page, 'condition_1', 'else'), target(page, 'end'));
    await drag(page, handle(page, 'condition_1', 'branches[0].next'), target(page, 'end'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(7);

    // No errors left; save, then publish with a note.
    await page.getByRole('tab', { name: /Problems/ }).click();
    await expect.poll(() => page.getByText(/^0 errors/).count()).toBe(1);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/Saved/);
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const publish = page.getByRole('dialog', { name: 'Publish this flow' });
    await publish.getByLabel('Note for this version').fill('First pricing flow');
    await publish
      .getByText(/Conversations already running stay on the version they started on/)
      .waitFor();
    await publish.getByRole('button', { name: 'Publish now' }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/Published version 1/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);

    const saved = await adminApi<{ draft: { trigger: unknown; nodes: { id: string }[] } }>(
      'GET',
      `/flows/${flowId}`,
    );
    expect(saved.draft.trigger).toEqual({
      type: 'page_visited',
      urls: [{ op: 'contains', value: '/pricing' }],
    });
    await close();

    // A visitor on a customer page of another origin sees the flow in the messenger.
    const context = await browser.newContext();
    const visitor = await context.newPage();
    await visitor.goto(`${CUSTOMER}/customer/pricing`);
    const launcher = visitor.getByRole('button', { name: 'Open chat', exact: true });
    await expect.poll(() => launcher.getAttribute('data-unread'), { timeout: 20_000 }).toBe('2');
    const messenger = await openMessenger(visitor, 'Editor pilot');
    await messenger.getByText('Welcome to pricing!').waitFor();
    await messenger.getByText('Which plan suits you?').waitFor();
    await messenger.getByRole('button', { name: 'Business' }).waitFor();
    await messenger.getByRole('button', { name: 'Starter' }).waitFor();
    await context.close();
  });

  it('reports a save conflict between two tabs and loses neither side', async () => {
    const flow = await adminApi<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      name: 'Two tabs',
      pilotId: pilot.id,
      trigger: { type: 'new_conversation' },
      start: 'hello',
      nodes: [{ id: 'hello', type: 'send_message', text: 'Original' }],
    });
    const tabA = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(tabA.page);
    const tabB = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(tabB.page);
    for (const { page } of [tabA, tabB]) await step(page, 'hello').click();

    await field(tabA.page, 'Message').fill('Written in tab A');
    await tabA.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => status(tabA.page).textContent()).toMatch(/Saved/);

    await field(tabB.page, 'Message').fill('Written in tab B');
    await tabB.page.getByRole('button', { name: 'Save', exact: true }).click();
    const conflict = tabB.page.getByRole('dialog', { name: 'Someone else saved this flow' });
    await conflict.waitFor();
    // Compare shows what differs from their version to ours.
    await conflict.getByRole('button', { name: 'Compare' }).click();
    await conflict.getByText(/hello · text: Written in tab A → Written in tab B/).waitFor();
    // Reload takes theirs; Undo brings ours back, and then overwriting saves ours.
    await conflict.getByRole('button', { name: 'Reload their version' }).click();
    await tabB.page.getByRole('button', { name: 'Back to the draft' }).click();
    await step(tabB.page, 'hello').click();
    await expect.poll(() => field(tabB.page, 'Message').inputValue()).toBe('Written in tab A');
    await tabB.page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => field(tabB.page, 'Message').inputValue()).toBe('Written in tab B');
    await tabB.page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => status(tabB.page).textContent()).toMatch(/Saved/);
    const saved = await adminApi<{ draft: { nodes: { text: string }[] } }>(
      'GET',
      `/flows/${flow.id}`,
    );
    expect(saved.draft.nodes[0]?.text).toBe('Written in tab B');

    // Tab A is now the stale one: its next save is refused too, and overwrite is its choice.
    await field(tabA.page, 'Message').fill('Tab A again');
    await tabA.page.getByRole('button', { name: 'Save', exact: true }).click();
    const again = tabA.page.getByRole('dialog', { name: 'Someone else saved this flow' });
    await again.getByRole('button', { name: 'Overwrite with mine' }).click();
    await expect.poll(() => status(tabA.page).textContent()).toMatch(/Saved/);
    const last = await adminApi<{ draft: { nodes: { text: string }[] } }>(
      'GET',
      `/flows/${flow.id}`,
    );
    expect(last.draft.nodes[0]?.text).toBe('Tab A again');
    expect([...tabA.errors, ...tabB.errors].filter((e) => !e.includes('412'))).toEqual([]);
    await tabA.close();
    await tabB.close();
  });

  it('undoes and redoes each kind of edit: add, inspector typing (one step), connect, move by keyboard, delete', async () => {
    const flow = await adminApi<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      name: 'Undo flow',
      pilotId: pilot.id,
      trigger: { type: 'new_conversation' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'send_message', text: 'Hi', position: { x: 0, y: 0 } },
        { id: 'bye', type: 'end', position: { x: 400, y: 0 } },
      ],
    });
    const { page, errors, close } = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(page);
    await step(page, 'hello').waitFor();
    const undo = page.getByRole('button', { name: 'Undo' });
    const redo = page.getByRole('button', { name: 'Redo' });
    const edges = () => page.locator('.react-flow__edge').count();
    const position = () =>
      step(page, 'hello').evaluate((el) => (el as HTMLElement).style.transform);

    // Inspector typing: several keystrokes, one undo step.
    await step(page, 'hello').click();
    await field(page, 'Message').pressSequentially(' there', { delay: 20 });
    await expect.poll(() => field(page, 'Message').inputValue()).toBe('Hi there');
    await undo.click();
    await expect.poll(() => field(page, 'Message').inputValue()).toBe('Hi');
    await redo.click();
    await expect.poll(() => field(page, 'Message').inputValue()).toBe('Hi there');

    // Connect with the "connect to…" choice (keyboard reachable), then undo/redo it.
    await field(page, 'Connect next to…').selectOption('bye');
    await expect.poll(edges).toBe(2);
    await undo.click();
    await expect.poll(edges).toBe(1);
    await redo.click();
    await expect.poll(edges).toBe(2);

    // Move by keyboard: focus the step and press an arrow key.
    const before = await position();
    await step(page, 'hello').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(position).not.toBe(before);
    await undo.click();
    await expect.poll(position).toBe(before);

    // Add from the palette, delete with the keyboard; undo brings it back with its edges.
    await page
      .getByRole('group', { name: 'Add Messages' })
      .getByRole('button', { name: 'Send message' })
      .click();
    await step(page, 'send_message_1').waitFor();
    await undo.click();
    await expect.poll(() => step(page, 'send_message_1').count()).toBe(0);
    await step(page, 'bye').click();
    await expect.poll(() => step(page, 'bye').getAttribute('class')).toContain('selected');
    await page.keyboard.press('Delete');
    await expect.poll(() => step(page, 'bye').count()).toBe(0);
    await expect.poll(edges).toBe(1);
    await page.keyboard.press('Control+z');
    await step(page, 'bye').waitFor();
    await expect.poll(edges).toBe(2);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => step(page, 'bye').count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('compares two versions on one canvas, restores one into the draft and publishes it', async () => {
    const base = {
      schemaVersion: 1,
      name: 'Versioned',
      pilotId: pilot.id,
      trigger: { type: 'new_conversation' },
      start: 'hello',
    };
    const flow = await adminApi<{ id: string }>('POST', '/flows', {
      ...base,
      nodes: [
        { id: 'hello', type: 'send_message', text: 'Version one', next: 'old' },
        { id: 'old', type: 'end' },
      ],
    });
    await adminApi('POST', `/flows/${flow.id}/publish`, { note: 'first' });
    await adminApi('PUT', `/flows/${flow.id}`, {
      ...base,
      nodes: [
        { id: 'hello', type: 'send_message', text: 'Version two', next: 'new' },
        { id: 'new', type: 'end' },
      ],
    });
    await adminApi('POST', `/flows/${flow.id}/publish`, { note: 'second' });

    const { page, errors, close } = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(page);
    await page.getByRole('tab', { name: 'Versions' }).click();
    await panel(page).getByText('second').waitFor();
    await panel(page).getByLabel('From', { exact: true }).selectOption('1');
    await panel(page).getByLabel('To', { exact: true }).selectOption('2');
    await panel(page).getByRole('button', { name: 'Compare', exact: true }).click();
    const banner = page.getByRole('region', { name: 'Read-only view' });
    await banner.getByText('Comparing version 1 → version 2').waitFor();
    await banner.getByText('Added step new').waitFor();
    await banner.getByText('Removed step old').waitFor();
    await banner.getByText('hello · text: Version one → Version two').waitFor();
    // Both sides on one canvas, marked.
    await expect.poll(() => step(page, 'old').getAttribute('class')).toBeTruthy();
    expect(await page.locator('.step-mark-removed[data-node-id="old"]').count()).toBe(1);
    expect(await page.locator('.step-mark-added[data-node-id="new"]').count()).toBe(1);
    expect(await page.locator('.step-mark-changed[data-node-id="hello"]').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await banner.getByRole('button', { name: 'Back to the draft' }).click();

    // Open version 1 read-only, restore it into the draft, publish it as version 3.
    await panel(page).getByRole('button', { name: 'Open version 1' }).click();
    await page
      .getByRole('region', { name: 'Read-only view' })
      .getByRole('button', { name: 'Restore version 1 into the draft' })
      .click();
    await expect.poll(() => status(page).textContent()).toMatch(/Restored version 1/);
    await step(page, 'old').waitFor();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const publish = page.getByRole('dialog', { name: 'Publish this flow' });
    await publish.getByText('hello · text: Version two → Version one').waitFor();
    await publish.getByLabel('Note for this version').fill('back to one');
    await publish.getByRole('button', { name: 'Publish now' }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/Published version 3/);
    const live = await adminApi<{ definition: { nodes: { text?: string }[] } }>(
      'GET',
      `/flows/${flow.id}/versions/3`,
    );
    expect(live.definition.nodes[0]?.text).toBe('Version one');
    expect(errors).toEqual([]);
    await close();
  });

  it('runs the draft in the test panel, lights up its path, and re-runs a saved scenario', async () => {
    const flow = await adminApi<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      name: 'Tested flow',
      pilotId: pilot.id,
      trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '/pricing' }] },
      variables: [{ name: 'plan', type: 'text' }],
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Which plan?',
          input: {
            kind: 'buttons',
            options: [
              { label: 'Free', value: 'free', next: 'done' },
              { label: 'Pro', value: 'pro', next: 'thanks' },
            ],
          },
          saveTo: 'variable.plan',
        },
        { id: 'thanks', type: 'send_message', text: 'Pro it is', next: 'done' },
        { id: 'done', type: 'end' },
      ],
    });
    const { page, errors, close } = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(page);
    await page.getByRole('tab', { name: 'Test' }).click();
    await field(page, 'Page URL').fill('https://shop.example/pricing');
    await panel(page).getByRole('button', { name: 'Start test' }).click();
    const chat = panel(page).getByRole('list', { name: 'Test conversation' });
    await chat.getByText('Which plan?').waitFor();
    await panel(page).getByRole('button', { name: 'Pro' }).click();
    await chat.getByText('Pro it is').waitFor();
    await panel(page).getByText('Status: completed').waitFor();
    await panel(page).getByText('"plan": "pro"').waitFor();
    // Variables after each step: nothing saved when the question waits, the plan once answered.
    await panel(page).getByText('variables after ask: {}').first().waitFor();
    await panel(page).getByText('variables after done: {"plan":"pro"}').waitFor();
    // The path on the canvas: the last step is current, the ones before are lit.
    expect(await page.locator('.step-mark-current[data-node-id="done"]').count()).toBe(1);
    expect(await page.locator('.step-mark-path[data-node-id="thanks"]').count()).toBe(1);
    // Step back through the path.
    await field(page, 'Step 3 of 3: done').press('ArrowLeft');
    await expect
      .poll(() => page.locator('.step-mark-current[data-node-id="thanks"]').count())
      .toBe(1);

    await field(page, 'Scenario name').fill('picks pro');
    await panel(page).getByRole('button', { name: 'Save scenario' }).click();
    await panel(page).getByRole('button', { name: 'Reset' }).click();
    await panel(page).getByRole('button', { name: 'Run all scenarios' }).click();
    await panel(page)
      .getByRole('list', { name: 'Scenario results' })
      .getByText('picks pro: completed (ask → thanks → done)')
      .waitFor();
    await panel(page).getByRole('button', { name: 'Run scenario picks pro' }).click();
    await chat.getByText('Pro it is').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });

  it('connects by keyboard, lists the flow in the outline, copies and pastes steps with new ids, and tidies up', async () => {
    const flow = await adminApi<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      name: 'Keyboard flow',
      pilotId: pilot.id,
      trigger: { type: 'new_conversation' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'send_message', text: 'Hi', position: { x: 0, y: 0 } },
        { id: 'bye', type: 'end', position: { x: 0, y: 240 } },
      ],
    });
    const { page, errors, close } = await openConsole(browser, `/admin/flows/${flow.id}`, {
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    await signIn(page);
    await step(page, 'hello').waitFor();
    // Keyboard only: focus the step, Enter selects it, then "connect next to…" in the inspector.
    await step(page, 'hello').focus();
    await page.keyboard.press('Enter');
    const connectTo = field(page, 'Connect next to…');
    await connectTo.focus();
    await connectTo.selectOption('bye');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    // The outline lists the same flow, with the new connection.
    await page.getByRole('button', { name: 'Outline' }).click();
    const outline = page.getByRole('navigation', { name: 'Flow outline' });
    await outline.getByText('next → bye').waitFor();
    await outline.getByRole('button', { name: /^bye — End/ }).click();
    await panel(page).getByRole('heading', { name: 'End' }).waitFor();
    await page.getByRole('button', { name: 'Outline' }).click();

    // Copy both steps and paste: new ids, the link between them kept.
    // Ctrl+A selects every step (the canvas has focus after a click on a step).
    await step(page, 'hello').click();
    await page.keyboard.press('Control+a');
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Paste' }).click();
    await expect
      .poll(() => status(page).textContent())
      .toMatch(/Pasted 2 step\(s\): send_message_1, end_1/);
    await step(page, 'send_message_1').waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);

    // Tidy up the selection (the pasted pair, stacked): the end step moves right of its message.
    const x = (id: string) =>
      adminApi<{ draft: { nodes: { id: string; position?: { x: number } }[] } }>(
        'GET',
        `/flows/${flow.id}`,
      ).then((f) => f.draft.nodes.find((n) => n.id === id)?.position?.x);
    await page.getByRole('button', { name: 'Tidy up' }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/Tidied the selection/);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/Saved/);
    expect((await x('end_1')) ?? 0).toBeGreaterThan((await x('send_message_1')) ?? 0);
    // Steps outside the selection stay where they were.
    expect(await x('bye')).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('refuses to publish with errors, listing them; choosing one selects the step and focuses the field', async () => {
    const flow = await adminApi<{ id: string }>('POST', '/flows', {
      schemaVersion: 1,
      name: 'Broken flow',
      pilotId: pilot.id,
      trigger: { type: 'new_conversation' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'send_message', text: 'Hi', next: 'bye' },
        { id: 'bye', type: 'end' },
      ],
    });
    const { page, errors, close } = await openConsole(browser, `/admin/flows/${flow.id}`);
    await signIn(page);
    // A template naming a variable the flow does not declare is an error at publish.
    await step(page, 'hello').click();
    await field(page, 'Message').fill('Hi {{variable.missing}}');
    await page.getByRole('tab', { name: /Problems/ }).click();
    await panel(page)
      .getByRole('button', { name: /hello · text/ })
      .waitFor();
    expect(await page.locator('.react-flow__node[data-id="hello"] .step-problem').count()).toBe(1);

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cannot publish yet' });
    await dialog.getByRole('button', { name: /hello · text/ }).click();
    // The inspector shows the step, with its Message field focused.
    await expect
      .poll(() => field(page, 'Message').evaluate((el) => el === document.activeElement))
      .toBe(true);
    expect(await field(page, 'Message').inputValue()).toBe('Hi {{variable.missing}}');
    const versions = await adminApi<{ items: unknown[] }>('GET', `/flows/${flow.id}/versions`);
    expect(versions.items).toEqual([]);
    expect(errors).toEqual([]);
    await close();
  });
});
