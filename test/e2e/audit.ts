/** Helpers every browser test shares: axe-core audits and admin API calls with the dev key. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';

const baseUrl = inject('baseUrl');
const adminKey = inject('adminKey');
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/**
 * axe-core (from node_modules) run in the page over `selectors` (the whole document when
 * omitted); returns the serious and critical violations as readable lines.
 */
export async function axeViolations(page: Page, selectors?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const results = await page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown) => Promise<AxeResults> } }).axe;
    return axe.run(include ? { include: include.map((s) => [s]) } : document);
  }, selectors);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Waits (up to 10 s) until the queue has indexed the conversation: the admin routes that address
 * one by id answer 404 before that (they ask D1 first, so a made-up id creates no object).
 */
export async function indexed(conversationId: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    const response = await fetch(`${baseUrl}/v1/admin/conversations/${conversationId}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    await response.body?.cancel();
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`conversation ${conversationId} was not indexed within 10 s`);
}

/** Calls the admin API with the dev admin key; throws with the body on failure. */
export async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return JSON.parse(text) as T;
}
