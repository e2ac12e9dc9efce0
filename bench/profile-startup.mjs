#!/usr/bin/env node
// Where the messenger's start-up script time goes (issue 16): loads the bench's messenger page
// (same HTML, 4x CPU throttle, navigation -> 2.5 s after load) with a CDP trace and a sampling
// profile, then prints the renderer main thread's script time by kind (compile, evaluate,
// timers, network callbacks, layout/style) and the profile's self time by script and function.
// `node bench/profile-startup.mjs [--runs=3] [--no-build]`; a diagnostic, not part of `npm run bench`.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { root } from '../scripts/dev-server.mjs';
import { launchChromium } from '../test/e2e/browser.ts';
import { startProduct } from './lib/product-server.mjs';

const args = process.argv.slice(2);
const profiling = !args.includes('--no-profile');
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);
if (!args.includes('--no-build')) {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build-widget.mjs')], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(1);
}

const product = await startProduct();
const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body><main><h1>Bench page</h1><p>Static content.</p></main><script async src="${product.base}/widget.js" data-pilot-key="pk_demo"></script></body></html>`;
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();

const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
const byKind = new Map();
const byScript = new Map();
const byFunction = new Map();
const scriptTotals = [];
let timeline = [];

try {
  for (let i = 0; i <= runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.goto('about:blank');
    await cdp.send('Performance.enable');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    const events = [];
    cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', {
      categories: 'devtools.timeline,v8,v8.execute,disabled-by-default-devtools.timeline',
      transferMode: 'ReportEvents',
    });
    const before = (await cdp.send('Performance.getMetrics')).metrics;
    if (profiling) await cdp.send('Profiler.start');
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(2_500);
    const { profile } = profiling
      ? await cdp.send('Profiler.stop')
      : { profile: { nodes: [], samples: [], timeDeltas: [] } };
    const after = (await cdp.send('Performance.getMetrics')).metrics;
    await cdp.send('Tracing.end');
    await done;
    await context.close();
    if (i === 0) continue; // warm-up
    const v = (l) => l.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
    scriptTotals.push((v(after) - v(before)) * 1000);

    // Trace: top-level events on the renderer main thread, by name (nested ones are inside).
    const main = events.find(
      (e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && e.ph === 'M',
    );
    const onMain = events.filter(
      (e) => main && e.tid === main.tid && e.pid === main.pid && e.ph === 'X' && e.dur,
    );
    const interesting = new Set([
      'v8.compile',
      'v8.compileModule',
      'v8.produceModuleCache',
      'v8.evaluateModule',
      'EvaluateScript',
      'FunctionCall',
      'TimerFire',
      'FireIdleCallback',
      'XHRReadyStateChange',
      'EventDispatch',
      'FireAnimationFrame',
      'RunMicrotasks',
      'V8.GC_SCAVENGER',
      'MajorGC',
      'MinorGC',
      'Layout',
      'UpdateLayoutTree',
      'ParseAuthorStyleSheet',
      'v8.parseOnBackground',
      'V8.CompileCode',
      'V8.ParseFunction',
      'v8.run',
      'V8.Execute',
    ]);
    // The top-level script tasks of the last load, in order, with forced layout/style inside.
    const scripty = new Set([
      'TimerFire',
      'FunctionCall',
      'EvaluateScript',
      'RunMicrotasks',
      'FireIdleCallback',
      'EventDispatch',
      'v8.evaluateModule',
      'XHRReadyStateChange',
      'FireAnimationFrame',
    ]);
    const tops = onMain.filter((e) => scripty.has(e.name)).sort((a, b) => a.ts - b.ts);
    const outer = [];
    for (const e of tops)
      if (!outer.some((o) => e.ts >= o.ts && e.ts + e.dur <= o.ts + o.dur)) outer.push(e);
    const t0 = onMain.reduce((m, e) => Math.min(m, e.ts), Infinity);
    timeline = outer.map((o) => {
      const inside = onMain.filter((e) => e !== o && e.ts >= o.ts && e.ts + e.dur <= o.ts + o.dur);
      const sum = (n) => inside.filter((e) => e.name === n).reduce((s, e) => s + e.dur, 0) / 1000;
      const d = o.args?.data ?? {};
      return `${((o.ts - t0) / 1000).toFixed(0).padStart(6)} ms +${(o.dur / 1000).toFixed(1).padStart(5)} ms ${o.name} ${d.functionName ?? ''} ${(d.url ?? d.stackTrace?.[0]?.url ?? '').replace(/^https?:\/\/[^/]+/, '')} layout ${sum('Layout').toFixed(1)} style ${sum('UpdateLayoutTree').toFixed(1)} compile ${(sum('v8.compile') + sum('v8.compileModule') + sum('V8.CompileCode')).toFixed(1)} gc ${(sum('MinorGC') + sum('MajorGC')).toFixed(1)}`;
    });
    for (const e of onMain) {
      if (!interesting.has(e.name)) continue;
      const u = e.args?.data?.url ?? e.args?.fileName ?? e.args?.data?.stackTrace?.[0]?.url ?? '';
      const tag = u ? ` ${u.replace(/^https?:\/\/[^/]+/, '')}` : '';
      add(byKind, `${e.name}${tag}`, e.dur / 1000 / runs);
    }

    // Profile: self time by script and by function.
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const dt = new Map();
    for (let s = 0; s < profile.samples.length; s++)
      add(dt, profile.samples[s], (profile.timeDeltas[s] ?? 0) / 1000);
    for (const [id, ms] of dt) {
      const n = nodes.get(id);
      const f = n.callFrame;
      if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
      const script = f.url ? f.url.replace(/^https?:\/\/[^/]+/, '') : f.functionName;
      add(byScript, script, ms / runs);
      add(
        byFunction,
        `${script} ${f.functionName || '(anon)'}:${f.lineNumber}:${f.columnNumber}`,
        ms / runs,
      );
    }
  }
} finally {
  await browser.close();
  server.close();
  await product.stop();
}

const top = (map, n) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `${ms.toFixed(1).padStart(7)} ms  ${k}`)
    .join('\n');
console.log(`ScriptDuration per load: ${scriptTotals.map((t) => t.toFixed(1)).join(', ')} ms`);
console.log(
  `\nTrace, renderer main thread, mean per load (nested events overlap):\n${top(byKind, 40)}`,
);
console.log(`\nScript tasks of the last load:\n${timeline.join('\n')}`);
console.log(`\nProfile self time by script, mean per load:\n${top(byScript, 15)}`);
console.log(`\nProfile self time by function, mean per load:\n${top(byFunction, 30)}`);
