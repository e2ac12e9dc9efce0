// Canvas editor at scale (issue 13, SPEC 4: a 1,000-node flow opens with no long task over
// 200 ms). In headless Chromium at 4x CPU throttling (CDP Emulation.setCPUThrottlingRate),
// signed in to the console on the bench's product server: open /admin/flows/:id for a
// generated 200-step and 1,000-step flow (bench/lib/flow-gen.mjs, no positions: laid out on
// load), wait until the canvas has drawn its steps and stopped changing, then pan by dragging
// the pane. Long tasks come from PerformanceObserver('longtask'), installed before any page
// script; total blocking time is the part of each long task over 50 ms.
import { launchChromium } from '../../test/e2e/browser.ts';
import { generatedFlow } from './flow-gen.mjs';

const SIZES = [200, 1000];
/** The canvas counts as drawn once its node count has not changed for this long. */
const STABLE_MS = 1_000;
const OPEN_TIMEOUT_MS = 120_000;
const PAN_DRAGS = 6;

const probe = `(() => {
  window.__bench = { longTasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      window.__bench.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
})();`;

function summarise(tasks) {
  const durations = tasks.map((t) => t.duration);
  const round = (n) => Math.round(n);
  return {
    longTasks: durations.length,
    longestMs: round(Math.max(0, ...durations)),
    blockingMs: round(durations.reduce((sum, d) => sum + Math.max(0, d - 50), 0)),
  };
}

async function adminApi(base, adminKey, method, path, body) {
  const response = await fetch(`${base}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Waits in the page until the canvas shows steps, has handed every step to xyflow (a large
 * flow opens in batches, with `aria-busy` on the canvas meanwhile) and the number of steps
 * drawn holds still.
 */
function waitForCanvas(page) {
  return page.evaluate(
    ({ stableMs, timeoutMs }) =>
      new Promise((resolve, reject) => {
        let count = -1;
        let changedAt = performance.now();
        const tick = () => {
          const now = performance.now();
          const n = document.querySelectorAll('.react-flow__node').length;
          if (n !== count) {
            count = n;
            changedAt = now;
          }
          if (document.querySelector('.react-flow[aria-busy="true"]')) changedAt = now;
          if (count > 0 && now - changedAt >= stableMs)
            return resolve({ rendered: count, at: changedAt });
          if (now > timeoutMs) return reject(new Error(`canvas not drawn (${count} nodes)`));
          setTimeout(tick, 50);
        };
        tick();
      }),
    { stableMs: STABLE_MS, timeoutMs: OPEN_TIMEOUT_MS },
  );
}

async function measureFlow(browser, base, adminKey, flowId, steps) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  try {
    // Sign in once in this tab (the key lives in sessionStorage, which a reload keeps).
    await page.goto(`${base}/admin/flows`);
    await page.getByLabel('Admin API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await page.addInitScript(probe);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });

    // Open: a full page load of the editor's URL, until the canvas is drawn and still.
    await page.goto(`${base}/admin/flows/${encodeURIComponent(flowId)}`);
    const drawn = await waitForCanvas(page);
    const opened = await page.evaluate(() => window.__bench.longTasks);
    const open = {
      ms: Math.round(drawn.at),
      renderedNodes: drawn.rendered,
      renderedEdges: await page.locator('.react-flow__edge').count(),
      ...summarise(opened),
    };

    // Pan: drag the empty pane back and forth; only long tasks that start during it count.
    const pane = await page.locator('.react-flow__pane').boundingBox();
    if (!pane) throw new Error('no canvas pane');
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;
    const panStart = await page.evaluate(() => performance.now());
    for (let i = 0; i < PAN_DRAGS; i++) {
      const dx = i % 2 === 0 ? -400 : 400;
      const dy = i % 3 === 0 ? -200 : 200;
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx + dx, cy + dy, { steps: 20 });
      await page.mouse.up();
    }
    // Let the last frame and any deferred work land before reading the observer.
    const panEnd = await page.evaluate(
      () =>
        new Promise((r) =>
          requestAnimationFrame(() => setTimeout(() => r(performance.now()), 300)),
        ),
    );
    const all = await page.evaluate(() => window.__bench.longTasks);
    const during = all.filter((t) => t.start >= panStart);
    const rendered = await page.locator('.react-flow__node').count();
    return {
      steps,
      open,
      pan: {
        drags: PAN_DRAGS,
        ms: Math.round(panEnd - panStart),
        renderedNodes: rendered,
        ...summarise(during),
      },
    };
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => {});
    await context.close();
  }
}

/** One open-and-pan per size on `product` (a started bench product server). */
export async function benchConsoleEditor(product) {
  const { base, adminKey } = product;
  const pilot = await adminApi(base, adminKey, 'POST', '/pilots', {
    name: 'Editor bench pilot',
    trustedDomains: ['127.0.0.1'],
  });
  const flows = [];
  for (const size of SIZES) {
    const flow = await adminApi(base, adminKey, 'POST', '/flows', generatedFlow(size, pilot.id));
    flows.push({ size, id: flow.id });
  }
  const browser = await launchChromium();
  const results = {};
  try {
    // A discarded warm-up open: the first load pays for the browser's own start-up.
    await measureFlow(browser, base, adminKey, flows[0].id, flows[0].size);
    for (const { size, id } of flows)
      results[size] = await measureFlow(browser, base, adminKey, id, size);
  } finally {
    await browser.close();
  }
  return {
    cpuThrottle: 4,
    layout: 'generated without positions: laid out on load',
    onlyRenderVisibleElements: true,
    targetLongestMs: 200,
    flows: results,
  };
}
