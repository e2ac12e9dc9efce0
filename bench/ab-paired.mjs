#!/usr/bin/env node
// Paired A/B of two messenger loaders already in dist/ (issue 16), for changes smaller than this
// shared machine's noise: each round loads both pages once, in alternating order (the second
// page of a pair is not always the same one), with the bench's own page, probe and metric
// (bench/lib/main-thread.mjs: 4x CPU throttle, ScriptDuration from navigation to 2.5 s after
// `load`). Prints every load, the medians and how many pairs each side won.
// `node bench/ab-paired.mjs --a=/widget.js --b=/widget-base.js [--pairs=24]` (run
// bench/ab-startup.mjs or copy a loader and its bundles into dist/ first). A diagnostic.
import { launchChromium } from '../test/e2e/browser.ts';
import { measurePage, startStaticServer } from './lib/main-thread.mjs';
import { startProduct } from './lib/product-server.mjs';
import { ensurePeers } from './lib/weight.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const pairs = Number(arg('pairs', 24));
const loaders = { a: arg('a', '/widget.js'), b: arg('b', '/widget-base.js') };

// The static server also serves the Typebot page, and refuses to start without its bundle.
ensurePeers();
const product = await startProduct();
const server = await startStaticServer(product.base, loaders);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
const runs = { a: [], b: [] };
try {
  // One discarded round: the first loads pay for the browser's own warm-up.
  for (const name of ['a', 'b']) await measurePage(browser, `${base}/${name}.html`, false);
  for (let i = 0; i < pairs; i++)
    for (const name of i % 2 ? ['b', 'a'] : ['a', 'b'])
      runs[name].push((await measurePage(browser, `${base}/${name}.html`, false)).scriptMs);
} finally {
  await browser.close();
  server.close();
  await product.stop();
}
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
const wins = runs.a.filter((ms, i) => ms < runs.b[i]).length;
for (const name of ['a', 'b'])
  console.log(
    `${name} ${loaders[name].padEnd(20)} median ${median(runs[name]).toFixed(1)} ms  loads ${runs[name].map((ms) => ms.toFixed(0)).join(' ')}`,
  );
console.log(`a lower in ${wins} of ${pairs} pairs`);
