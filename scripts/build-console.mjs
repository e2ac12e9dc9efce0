#!/usr/bin/env node
// Builds the admin console into dist/admin/ (served at /admin by the Worker, SPEC 3.8):
//   dist/admin/index.html                  the page (no inline script or style: strict CSP)
//   dist/admin/assets/console-<hash>.js    the entry bundle (immutable, content-hashed)
//   dist/admin/assets/chunk-<hash>.js      pages loaded on demand (the editor and its canvas)
//   dist/admin/assets/console-<hash>.css   every style of the console
//   dist/console-manifest.json             the files above, for scripts/check-size.mjs and bench
// Run after build-widget.mjs (which empties dist/): `npm run build` runs both.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { consoleEsbuildOptions } from './console-esbuild.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'admin');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  ...consoleEsbuildOptions(root),
  entryPoints: {
    console: join(root, 'console/main.tsx'),
    'console-style': join(root, 'console/styles/index.css'),
  },
  splitting: true,
  metafile: true,
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: 'asset-[hash]',
});

const outputs = result.metafile.outputs;
const publicPath = (file) => `/${relative(dist, join(root, file)).replaceAll('\\', '/')}`;
const entryFile = Object.keys(outputs).find(
  (f) => outputs[f].entryPoint?.endsWith('console/main.tsx') && f.endsWith('.js'),
);
const cssFile = Object.keys(outputs).find((f) => /console-style-[^/]*\.css$/.test(f));
// The entry's static imports are part of the first load; dynamic imports (the editor) are not.
const firstLoad = new Set();
const visit = (file) => {
  if (firstLoad.has(file)) return;
  firstLoad.add(file);
  for (const imp of outputs[file].imports) if (imp.kind === 'import-statement') visit(imp.path);
};
visit(entryFile);

const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>edgepilot admin</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${publicPath(cssFile)}" />
${[...firstLoad]
  .slice(1)
  .map((f) => `    <link rel="modulepreload" href="${publicPath(f)}" />\n`)
  .join('')}    <script type="module" src="${publicPath(entryFile)}"></script>
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>
`;
writeFileSync(join(out, 'index.html'), html);

writeFileSync(
  join(dist, 'console-manifest.json'),
  JSON.stringify(
    {
      html: '/admin/index.html',
      css: publicPath(cssFile),
      firstLoad: [...firstLoad].map(publicPath),
      lazy: Object.keys(outputs)
        .filter((f) => f.endsWith('.js') && !firstLoad.has(f))
        .map(publicPath),
    },
    null,
    2,
  ),
);
// `--sizes`: what each package costs in the bundle (minified bytes before compression).
if (process.argv.includes('--sizes')) {
  const byPackage = {};
  for (const [file, output] of Object.entries(outputs)) {
    if (!file.endsWith('.js')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = `${match ? match[1] : input.split('/')[0]}${firstLoad.has(file) ? '' : ' (lazy)'}`;
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
  }
  console.table(
    Object.entries(byPackage)
      .sort((a, b) => b[1] - a[1])
      .map(([name, bytes]) => ({ name, bytes })),
  );
}
// Hashed files never change; the page itself is answered by the Worker with the same CSP.
// Rewritten, not appended twice, when the console is rebuilt on its own.
const headersFile = join(dist, '_headers');
const otherRules = existsSync(headersFile)
  ? readFileSync(headersFile, 'utf8').replace(/\/admin\/assets\/\*\n(?: {2}.*\n)*/g, '')
  : '';
writeFileSync(
  headersFile,
  otherRules +
    [
      '/admin/assets/*',
      '  Cache-Control: public, max-age=31536000, immutable',
      '  X-Content-Type-Options: nosniff',
      "  Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
      '',
    ].join('\n'),
);
console.log(`console built: /admin -> ${publicPath(entryFile)}`);
