#!/usr/bin/env node
// Where the editor's long tasks go when it opens a large flow (issue 13, SPEC 4): opens
// /admin/flows/:id for a generated flow (bench/lib/flow-gen.mjs, no positions) at 4x CPU
// throttle with a CDP trace and a sampling profile, as the editor bench does, then prints each
// main-thread task over 50 ms with what the trace shows inside it (script, style, layout, GC)
// and the profile's self time by function within it.
// `node bench/profile-editor.mjs [--steps=1000] [--runs=1] [--no-build]`; a diagnostic, not
// part of `npm run bench`.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../scripts/dev-server.mjs';
import { launchChromium } from '../test/e2e/browser.ts';
import { generatedFlow } from './lib/flow-gen.mjs';
import { startProduct } from './lib/product-server.mjs';

const args = process.argv.slice(2);
const arg = (name, fallback) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const steps = Number(arg('steps', 1000));
const runs = Number(arg('runs', 1));
const top = Number(arg('top', 12));
/** --no-profile: the trace only (less overhead), each task named by its first function call. */
const profiling = !args.includes('--no-profile');
/** --all-events: list every kind of trace event inside a long task, not only the usual ones. */
const all = args.includes('--all-events');
if (!args.includes('--no-build')) {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, CONSOLE_READABLE_NAMES: '1' },
  });
  if (built.status !== 0) process.exit(1);
}

const product = await startProduct();
const { base, adminKey } = product;
const admin = async (method, path, body) => {
  const r = await fetch(`${base}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status} ${await r.text()}`);
  return r.json();
};
const pilot = await admin('POST', '/pilots', { name: 'Profile pilot', trustedDomains: [] });
const flow = await admin('POST', '/flows', generatedFlow(steps, pilot.id));
const browser = await launchChromium();

/** Inner trace events worth naming, summed per long task (self-inclusive durations). */
const KINDS = new Set([
  'FunctionCall',
  'TimerFire',
  'RunMicrotasks',
  'FireAnimationFrame',
  'EventDispatch',
  'UpdateLayoutTree',
  'Layout',
  'Paint',
  'PrePaint',
  'Layerize',
  'MinorGC',
  'MajorGC',
  'V8.GC_SCAVENGER',
  'ParseHTML',
  'v8.compile',
  'v8.evaluateModule',
  'XHRLoad',
  'ResourceReceivedData',
]);

try {
  for (let run = 0; run <= runs; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.goto(`${base}/admin/flows`);
    await page.getByLabel('Admin API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    // What the editor bench counts: long tasks seen by the page itself, from its start.
    await page.addInitScript(() => {
      const seen = [];
      Object.assign(window, { __longTasks: seen });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          seen.push([Math.round(e.startTime), Math.round(e.duration)]);
      }).observe({ type: 'longtask', buffered: true });
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    const events = [];
    cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', {
      categories: 'toplevel,devtools.timeline,v8,disabled-by-default-devtools.timeline',
      transferMode: 'ReportEvents',
    });
    if (profiling) await cdp.send('Profiler.start');
    await page.goto(`${base}/admin/flows/${flow.id}`);
    await page.locator('.react-flow__node').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(
      () => !document.querySelector('.react-flow[aria-busy="true"]'),
      null,
      {
        timeout: 120_000,
        polling: 200,
      },
    );
    await page.waitForTimeout(1_500);
    const observed = await page.evaluate(() => window.__longTasks);
    const { profile } = profiling
      ? await cdp.send('Profiler.stop')
      : { profile: { nodes: [], samples: [], timeDeltas: [], startTime: 0 } };
    await cdp.send('Tracing.end');
    await done;
    await context.close();
    if (run === 0 && runs > 0) continue; // warm-up
    const save = arg('save', '');
    if (save) writeFileSync(save, JSON.stringify({ events, profile }));

    const main = events.find(
      (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
    );
    const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X');
    const tasks = onMain
      .filter((e) => e.name === 'RunTask' && e.dur > 50_000)
      .sort((a, b) => a.ts - b.ts);
    // Profile samples, by time, with their leaf function.
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
    const samples = [];
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i];
      // A sample stands for the time until the next one (ms).
      samples.push({
        t,
        node: nodes.get(profile.samples[i]),
        ms: (profile.timeDeltas[i + 1] ?? 0) / 1000,
      });
    }
    const label = (n) => {
      const f = n.callFrame;
      const file = f.url.split('/').pop() || '';
      return `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    };
    const t0 = tasks[0]?.ts ?? 0;
    console.log(`\n=== run ${run}: ${steps} steps, ${tasks.length} tasks over 50 ms ===`);
    console.log(
      `the page's own long tasks [start, ms], longest first: ${JSON.stringify(observed.sort((a, b) => b[1] - a[1]).slice(0, 8))}`,
    );
    for (const task of tasks) {
      const end = task.ts + task.dur;
      const inner = new Map();
      for (const e of onMain)
        if (
          (all || KINDS.has(e.name)) &&
          e !== task &&
          e.ts >= task.ts &&
          e.ts + (e.dur ?? 0) <= end
        )
          inner.set(e.name, (inner.get(e.name) ?? 0) + (e.dur ?? 0));
      const self = new Map();
      const total = new Map();
      for (const s of samples)
        if (s.t >= task.ts && s.t <= end) {
          const k = label(s.node);
          self.set(k, (self.get(k) ?? 0) + s.ms);
          const seen = new Set();
          for (let n = s.node; n; n = parent.get(n.id)) {
            const name = label(n);
            if (seen.has(name) || !n.callFrame.url) continue;
            seen.add(name);
            total.set(name, (total.get(name) ?? 0) + s.ms);
          }
        }
      const call = onMain.find(
        (e) => e.name === 'FunctionCall' && e.ts >= task.ts && e.ts <= end && e.args?.data,
      )?.args.data;
      const where = call
        ? ` [${call.functionName || '?'} ${call.url?.split('/').pop()}:${call.lineNumber}]`
        : '';
      const kinds = [...inner]
        .sort((a, b) => b[1] - a[1])
        .map(([k, us]) => `${k} ${(us / 1000).toFixed(0)}`)
        .join(', ');
      console.log(
        `\n+${((task.ts - t0) / 1000).toFixed(0)} ms: task ${(task.dur / 1000).toFixed(0)} ms${where} — ${kinds}`,
      );
      for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
        console.log(`   self ${ms.toFixed(1).padStart(7)} ms  ${k}`);
      const skip = arg('skip', '');
      for (const [k, ms] of [...total]
        .filter(([k]) => !skip || !k.includes(skip))
        .sort((a, b) => b[1] - a[1])
        .slice(0, top * 2))
        console.log(`   total ${ms.toFixed(1).padStart(6)} ms  ${k}`);
    }
  }
} finally {
  await browser.close();
  await product.stop();
}
