#!/usr/bin/env node
// Widget size budget (SPEC 4): loader <= 1.5 KB brotli, whole messenger (loader + entry +
// every lazy chunk) <= 15 KB brotli. Admin console (issue 13): first load (index.html + CSS + the entry JS and
// its static imports; pages loaded on demand excluded) <= 100 KB brotli.
// Prints raw/gzip/brotli of the built files in dist/ and exits 1 when over.
// `npm test` runs it after the build; `measureWidget()` and `measureConsole()` are exported
// for `npm run bench`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGET = { loader: 1536, messenger: 15360, consoleFirstLoad: 102400 };

function sizes(buffer) {
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }).length,
  };
}

/**
 * Sizes of the built loader, the messenger's entry (`bundle`: what every page view loads), its
 * lazy chunks (the panel, loaded on first open, and any shared chunk) and all of them together
 * ("whole messenger", compressed as one so the budget cannot be dodged by splitting).
 */
export function measureWidget(dist = join(root, 'dist')) {
  const manifest = JSON.parse(readFileSync(join(dist, 'widget-manifest.json'), 'utf8'));
  const loader = readFileSync(join(dist, 'widget.js'));
  const bundle = readFileSync(join(dist, manifest.messenger));
  const chunks = (manifest.chunks ?? []).map((path) => readFileSync(join(dist, path)));
  return {
    loader: sizes(loader),
    bundle: sizes(bundle),
    chunks: sizes(Buffer.concat(chunks)),
    firstPaint: sizes(Buffer.concat([loader, bundle])),
    messenger: sizes(Buffer.concat([loader, bundle, ...chunks])),
  };
}

/**
 * The admin console's first load: each file compressed on its own (as served), summed. The
 * lazy chunks (the editor page and its canvas library) are reported apart.
 */
export function measureConsole(dist = join(root, 'dist')) {
  const manifest = JSON.parse(readFileSync(join(dist, 'console-manifest.json'), 'utf8'));
  const read = (path) => readFileSync(join(dist, path));
  const sum = (files) =>
    files
      .map((f) => sizes(read(f)))
      .reduce(
        (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }),
        { raw: 0, gzip: 0, brotli: 0 },
      );
  return {
    consoleHtml: sizes(read(manifest.html)),
    consoleCss: sizes(read(manifest.css)),
    consoleJs: sum(manifest.firstLoad),
    consoleFirstLoad: sum([manifest.html, manifest.css, ...manifest.firstLoad]),
    consoleLazy: sum(manifest.lazy),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const measured = measureWidget();
  const admin = measureConsole();
  const rows = Object.entries({ ...measured, ...admin }).map(([name, s]) => ({ file: name, ...s }));
  console.table(rows);
  const over = [
    measured.loader.brotli > BUDGET.loader &&
      `loader is ${measured.loader.brotli} B brotli, budget ${BUDGET.loader} B`,
    measured.messenger.brotli > BUDGET.messenger &&
      `messenger is ${measured.messenger.brotli} B brotli, budget ${BUDGET.messenger} B`,
    admin.consoleFirstLoad.brotli > BUDGET.consoleFirstLoad &&
      `console first load is ${admin.consoleFirstLoad.brotli} B brotli, budget ${BUDGET.consoleFirstLoad} B`,
  ].filter(Boolean);
  if (over.length) {
    console.error(`over budget: ${over.join('; ')}`);
    process.exit(1);
  }
  console.log('widget and console sizes within budget');
}
