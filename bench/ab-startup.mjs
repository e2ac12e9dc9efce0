#!/usr/bin/env node
// A/B of the messenger's start-up (issue 16): builds the widget of another git revision (default
// `main`) next to this tree's, serves both loaders from one wrangler dev and measures them with
// the bench's main-thread harness in the same run, interleaved with the empty page and Typebot.
// `node bench/ab-startup.mjs [--base=main] [--samples=5]`; prints each page's medians and the
// script time as a ratio of Typebot's. A diagnostic: writes no report (it rebuilds dist/, and
// leaves the other revision's loader in it as dist/widget-base.js).
import { execSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/dev-server.mjs';
import { benchMainThread } from './lib/main-thread.mjs';
import { startProduct } from './lib/product-server.mjs';

const args = process.argv.slice(2);
const base = args.find((a) => a.startsWith('--base='))?.slice(7) ?? 'main';
const samples = Number(args.find((a) => a.startsWith('--samples='))?.slice(10) ?? 5);

const build = (dir) => {
  const built = spawnSync(process.execPath, [join(dir, 'scripts/build-widget.mjs')], {
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(1);
};

// The other revision's widget sources, built in a scratch directory with this tree's packages.
const other = mkdtempSync(join(tmpdir(), 'edgepilot-ab-'));
execSync(`git archive ${base} widget shared scripts demo tsconfig.base.json | tar -x -C ${other}`, {
  cwd: root,
});
symlinkSync(join(root, 'node_modules'), join(other, 'node_modules'), 'dir');
build(other);
build(root);
// build-widget empties dist/: the console goes back in, so dist/ stays as `npm run build` left it.
const consoleBuilt = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], {
  stdio: 'inherit',
});
if (consoleBuilt.status !== 0) process.exit(1);
// Its loader next to ours; its bundles are content-hashed, so both sets live in one dist/.
cpSync(join(other, 'dist/widget.js'), join(root, 'dist/widget-base.js'));
for (const file of readdirSync(join(other, 'dist/widget')))
  cpSync(join(other, 'dist/widget', file), join(root, 'dist/widget', file), { force: false });
const size = (f) => readFileSync(f).length;
console.log(
  `loader bytes: base ${size(join(root, 'dist/widget-base.js'))}, this ${size(join(root, 'dist/widget.js'))}`,
);

const product = await startProduct();
try {
  const result = await benchMainThread(product.base, {
    samples,
    variants: { [`base-${base}`]: '/widget-base.js' },
  });
  const typebot = result.pages.typebot.scriptMs;
  for (const [name, page] of Object.entries(result.pages))
    console.log(
      `${name.padEnd(16)} script ${String(page.scriptMs).padStart(6)} ms  ratio ${(page.scriptMs / typebot).toFixed(2)}  tasks ${page.taskMs} ms  long ${page.longTasks}  blocking ${page.blockingMs} ms  launcher ${page.launcherMs} ms`,
    );
  console.log(JSON.stringify(result));
} finally {
  await product.stop();
}
