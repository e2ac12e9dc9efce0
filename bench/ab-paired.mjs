#!/usr/bin/env node
// Paired A/B of two messenger loaders already in dist/ (issue 16), for changes smaller than this
// shared machine's noise: each round loads both pages once, in alternating order (the second
// page of a pair is not always the same one), with the bench's own page, probe and metric
// (bench/lib/main-thread.mjs: 4x CPU throttle, ScriptDuration from navigation to 2.5 s after
// `load`). Prints every load, the medians and how many pairs each side won. With `--launcher`,
// each round also loads both pages once more with the bench's launcher probe (a visible launcher
// button, polled per frame: its own loads, as the probe costs script time) and prints the
// launcher-visible times the same way.
// `node bench/ab-paired.mjs --a=/widget.js --b=/widget-base.js [--pairs=24] [--launcher]` (run
// bench/ab-startup.mjs or copy a loader and its bundles into dist/ first). A diagnostic.
import { launchChromium } from '../test/e2e/browser.ts';
import { measurePage, startStaticServer } from './lib/main-thread.mjs';
import { startProduct } from './lib/product-server.mjs';
import { ensurePeers } from './lib/weight.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const pairs = Number(arg('pairs', 24));
const loaders = { a: arg('a', '/widget.js'), b: arg('b', '/widget-base.js') };
const launcher = process.argv.includes('--launcher');

// The static server also serves the Typebot page, and refuses to start without its bundle.
ensurePeers();
const product = await startProduct();
const server = await startStaticServer(product.base, loaders);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
const runs = { a: [], b: [] };
const shown = { a: [], b: [] };
try {
  // One discarded round: the first loads pay for the browser's own warm-up.
  for (const name of ['a', 'b']) await measurePage(browser, `${base}/${name}.html`, false);
  for (let i = 0; i < pairs; i++)
    for (const name of i % 2 ? ['b', 'a'] : ['a', 'b']) {
      runs[name].push((await measurePage(browser, `${base}/${name}.html`, false)).scriptMs);
      if (launcher)
        shown[name].push((await measurePage(browser, `${base}/${name}.html`, true)).launcherMs);
    }
} finally {
  await browser.close();
  server.close();
  await product.stop();
}
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
/** Medians, every load, and how many pairs `a` won (a launcher never seen counts as a loss). */
function report(what, values) {
  const wins = values.a.filter(
    (ms, i) => ms !== null && (values.b[i] === null || ms < values.b[i]),
  );
  const seen = (v) => v.map((ms) => ms ?? Infinity);
  for (const name of ['a', 'b'])
    console.log(
      `${what} ${name} ${loaders[name].padEnd(20)} median ${median(seen(values[name])).toFixed(1)} ms  loads ${values[name].map((ms) => ms?.toFixed(0) ?? 'none').join(' ')}`,
    );
  console.log(`${what}: a lower in ${wins.length} of ${pairs} pairs`);
}
report('script', runs);
if (launcher) report('launcher visible', shown);
