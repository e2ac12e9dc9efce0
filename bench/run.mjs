#!/usr/bin/env node
// `npm run bench`: one command, one run, ratios side by side. Builds the widget and the admin
// console, measures weight, the console's first-load size, main-thread cost, the hot path against a bare echo Durable Object, load, the engine,
// memory and publish latency, then prints a table and writes bench/results.json,
// bench/charts/*.svg and BENCHMARKS.md. Flags: --no-build, --quick, and --only=weight,consoleWeight,engine,mainThread,consoleEditor,hotPath,liveLag,load,erase,memory,publish
// (a partial run prints its results as JSON and leaves the report files alone).
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/dev-server.mjs';
import { benchConsoleEditor } from './lib/console-editor.mjs';
import { benchConsoleWeight } from './lib/console-weight.mjs';
import { startEchoServer } from './lib/echo-server.mjs';
import { benchEngine } from './lib/engine.mjs';
import { benchErase } from './lib/erase.mjs';
import { benchHotPath, log } from './lib/hot-path.mjs';
import { benchLiveLag } from './lib/live-lag.mjs';
import { runEchoLoad, runLoad } from './lib/load.mjs';
import { benchMainThread } from './lib/main-thread.mjs';
import { benchMemory } from './lib/memory.mjs';
import { startProduct } from './lib/product-server.mjs';
import { benchPublish } from './lib/publish.mjs';
import { printTable, writeReport } from './lib/report.mjs';
import { benchWeight } from './lib/weight.mjs';

const args = process.argv.slice(2);
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const quick = args.includes('--quick');
const wanted = (name) => !only || only.includes(name);

/** Runs one section; a failure is recorded in the results instead of ending the run. */
async function section(name, fn) {
  if (!wanted(name)) return undefined;
  log(`${name}…`);
  try {
    return await fn();
  } catch (error) {
    log(`${name} failed: ${error.stack ?? error}`);
    return { error: String(error.message ?? error).split('\n')[0] };
  }
}

if (!args.includes('--no-build')) {
  for (const script of ['scripts/build-widget.mjs', 'scripts/build-console.mjs']) {
    const built = spawnSync(process.execPath, [join(root, script)], { stdio: 'inherit' });
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
}

const results = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverage: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    quick,
  },
};
results.weight = await section('weight', () => benchWeight());
results.consoleWeight = await section('consoleWeight', () => benchConsoleWeight());
results.engine = await section('engine', () => benchEngine());

const needsServers = [
  'mainThread',
  'consoleEditor',
  'hotPath',
  'liveLag',
  'load',
  'erase',
  'publish',
].some(wanted);
if (needsServers) {
  const product = await startProduct();
  const echo = await startEchoServer();
  try {
    results.mainThread = await section('mainThread', () =>
      benchMainThread(product.base, { samples: quick ? 2 : 5 }),
    );
    // Adds a pilot and two large flows; none of them is published, so visitors see no change.
    results.consoleEditor = await section('consoleEditor', () => benchConsoleEditor(product));
    results.hotPath = await section('hotPath', () => benchHotPath(product.base, echo.base));
    // A pilot of its own: visitor message -> the live view frame at a console live socket.
    results.liveLag = await section('liveLag', () => benchLiveLag(product));
    const loadShape = { conversations: quick ? 100 : 1000, messages: 10 };
    results.load = await section('load', () => runLoad(product.base, loadShape));
    // The same load against the bare echo DO, right after ours on the same machine.
    results.loadEcho = await section('load', () => runEchoLoad(echo.base, loadShape));
    results.erase = await section('erase', () => benchErase(product));
    // Last on these servers: it publishes a flow that changes what new conversations see.
    results.publish = await section('publish', () => benchPublish(product));
  } finally {
    await product.stop();
    await echo.stop();
  }
}
// On fresh servers of its own, after the shared ones stopped: both sides measured the same way.
results.memory = await section('memory', () => benchMemory());

if (only) {
  // A partial run must not replace the full report: print what was measured, write nothing.
  console.log(JSON.stringify(results, null, 2));
  console.log('\n--only: partial run, bench/results.json and BENCHMARKS.md left as they were');
} else {
  const rows = writeReport(results);
  console.log('');
  printTable(rows);
  console.log('\nwrote bench/results.json, bench/charts/*.svg, BENCHMARKS.md');
}
