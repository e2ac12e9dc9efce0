#!/usr/bin/env node
// Widget size budget (SPEC 4): loader <= 1.5 KB brotli, whole messenger (loader + bundle)
// <= 15 KB brotli. Prints raw/gzip/brotli of the built files in dist/ and exits 1 when over.
// `npm test` runs it after the build; `measureWidget()` is exported for `npm run bench`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGET = { loader: 1536, messenger: 15360 };

function sizes(buffer) {
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }).length,
  };
}

/** Sizes of the built loader, messenger bundle and both together ("whole messenger"). */
export function measureWidget(dist = join(root, 'dist')) {
  const manifest = JSON.parse(readFileSync(join(dist, 'widget-manifest.json'), 'utf8'));
  const loader = readFileSync(join(dist, 'widget.js'));
  const bundle = readFileSync(join(dist, manifest.messenger));
  return {
    loader: sizes(loader),
    bundle: sizes(bundle),
    messenger: sizes(Buffer.concat([loader, bundle])),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const measured = measureWidget();
  const rows = Object.entries(measured).map(([name, s]) => ({ file: name, ...s }));
  console.table(rows);
  const over = [
    measured.loader.brotli > BUDGET.loader &&
      `loader is ${measured.loader.brotli} B brotli, budget ${BUDGET.loader} B`,
    measured.messenger.brotli > BUDGET.messenger &&
      `messenger is ${measured.messenger.brotli} B brotli, budget ${BUDGET.messenger} B`,
  ].filter(Boolean);
  if (over.length) {
    console.error(`widget over budget: ${over.join('; ')}`);
    process.exit(1);
  }
  console.log('widget size within budget');
}
