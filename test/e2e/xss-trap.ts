/** A browser page for XSS tests: script sinks record calls instead of running, dialogs are caught. */
import type { Browser } from 'playwright-core';

export async function openTrappedPage(browser: Browser) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const fired: string[] = [];
    (window as unknown as { xssFired: string[] }).xssFired = fired;
    for (const name of ['alert', 'confirm', 'prompt', 'print'] as const) {
      (window as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        fired.push(`${name}(${args.join(',')})`);
      };
    }
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page, dialogs };
}
