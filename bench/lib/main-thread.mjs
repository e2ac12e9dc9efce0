// Main-thread cost in headless Chromium at 4x CPU throttling, same harness for every page:
// script time (CDP Performance.getMetrics ScriptDuration), long tasks and total blocking time
// (PerformanceObserver 'longtask', the part of each task over 50 ms), and the time until a
// launcher button is visible. Pages: empty, our messenger (loader from wrangler dev), Typebot's
// embed (its bundle served locally from bench/.cache).
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { launchChromium } from '../../test/e2e/browser.ts';
import { ensurePeers, peerDir } from './weight.mjs';

const SETTLE_MS = 2_500;

function pageHtml(body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body><main><h1>Bench page</h1><p>Static content.</p></main>${body}</body></html>`;
}

// Runs before any page script: records long tasks and, in the launcher pass only (polling
// costs script time of its own), polls once per frame for a visible launcher button inside
// the messenger's or Typebot's shadow root.
const probe = (pollLauncher) => `(() => {
  window.__bench = { longTasks: [], launcherAt: null };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const hosts = ['edgepilot-messenger', 'typebot-bubble'];
  const visible = () => {
    for (const tag of hosts) {
      const buttons = document.querySelector(tag)?.shadowRoot?.querySelectorAll('button') ?? [];
      for (const b of buttons) if (b.checkVisibility() && b.getBoundingClientRect().width > 0) return true;
    }
    return false;
  };
  const poll = () => {
    if (visible()) window.__bench.launcherAt = performance.now();
    else if (performance.now() < ${SETTLE_MS + 2_000}) requestAnimationFrame(poll);
  };
  if (${pollLauncher}) requestAnimationFrame(poll);
})();`;

/** `variants`: extra messenger pages, name -> loader path on the dev server (A/B runs). */
export function startStaticServer(devBase, variants = {}) {
  const typebot = join(peerDir('@typebot.io/js'), 'dist/web.js');
  // Without the bundle the Typebot page would be measured as an empty page: refuse instead.
  if (!existsSync(typebot)) throw new Error(`Typebot bundle missing: ${typebot}`);
  const pages = {
    '/empty.html': pageHtml(''),
    '/edgepilot.html': pageHtml(
      `<script async src="${devBase}/widget.js" data-pilot-key="pk_demo"></script>`,
    ),
    ...Object.fromEntries(
      Object.entries(variants).map(([name, loader]) => [
        `/${name}.html`,
        pageHtml(`<script async src="${devBase}${loader}" data-pilot-key="pk_demo"></script>`),
      ]),
    ),
    '/typebot.html': pageHtml(
      `<script type="module">import Typebot from '/typebot/web.js'; Typebot.initBubble({ typebot: 'bench', apiHost: location.origin });</script>`,
    ),
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (pages[path]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(pages[path]);
    }
    if (path === '/typebot/web.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return createReadStream(typebot).pipe(res);
    }
    // Typebot asks its API for the bot: answer like an unknown bot would.
    res.writeHead(404, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end('{"message":"not found"}');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export async function measurePage(browser, url, pollLauncher) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.addInitScript(probe(pollLauncher));
  // Warm the renderer first so its own start-up is not billed to the page under test.
  await page.goto('about:blank');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const before = (await cdp.send('Performance.getMetrics')).metrics;
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(SETTLE_MS);
  const { metrics } = await cdp.send('Performance.getMetrics');
  // Counters are cumulative per renderer: bill only what happened after the navigation began.
  const value = (list, name) => list.find((m) => m.name === name)?.value ?? 0;
  const metric = (name) => Math.max(0, value(metrics, name) - value(before, name));
  const seen = await page.evaluate(() => window.__bench);
  await context.close();
  const longTasks = seen.longTasks;
  return {
    scriptMs: metric('ScriptDuration') * 1000,
    taskMs: metric('TaskDuration') * 1000,
    longTasks: longTasks.length,
    blockingMs: longTasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
    launcherMs: seen.launcherAt,
  };
}

function median(values) {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10;
}

/** Median of `samples` fresh loads per page, pages interleaved so drift hits all equally. */
export async function benchMainThread(devBase, { samples = 5, variants = {} } = {}) {
  // The Typebot page needs its bundle even when the weight section did not run (`--only`).
  ensurePeers();
  const server = await startStaticServer(devBase, variants);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  const pages = { empty: [], edgepilot: [], typebot: [] };
  for (const name of Object.keys(variants)) pages[name] = [];
  try {
    // One discarded round: the first loads pay for the browser's own warm-up.
    for (const name of Object.keys(pages))
      await measurePage(browser, `${base}/${name}.html`, false);
    for (let i = 0; i < samples; i++) {
      for (const name of Object.keys(pages)) {
        const cost = await measurePage(browser, `${base}/${name}.html`, false);
        const launcher = await measurePage(browser, `${base}/${name}.html`, true);
        pages[name].push({ ...cost, launcherMs: launcher.launcherMs });
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const summary = {};
  for (const [name, runs] of Object.entries(pages)) {
    summary[name] = {
      scriptMs: median(runs.map((r) => r.scriptMs)),
      taskMs: median(runs.map((r) => r.taskMs)),
      longTasks: median(runs.map((r) => r.longTasks)),
      blockingMs: median(runs.map((r) => r.blockingMs)),
      launcherMs: median(runs.map((r) => r.launcherMs)),
      launcherSeen: runs.filter((r) => r.launcherMs !== null).length,
      samples: runs.length,
    };
  }
  return { cpuThrottle: 4, settleMs: SETTLE_MS, pages: summary };
}
