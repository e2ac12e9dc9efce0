#!/usr/bin/env node
// Builds the widget into dist/ (served by the Worker's assets binding):
//   dist/widget/messenger-<hash>.js  the messenger's entry: the lean start-up (launcher, page view)
//   dist/widget/chunk-<hash>.js      what the entry shares with the full messenger (imported by both)
//   dist/widget/full-<hash>.js       the full messenger (API, socket, SPA tracking), loaded on demand
//   dist/widget/panel-<hash>.js      the Lit dialog, imported on first open (or for a banner)
//   dist/widget.js                   the loader, which knows the hashed bundle's path
//   dist/widget/preview-<hash>.js    the console's appearance preview (the messenger, never connected)
//   dist/preview/messenger.html      the page the pilot settings frame shows it in (strict CSP)
//   dist/index.html, dist/*.html     the demo site pages (embed the loader like a site owner)
//   dist/vendor/swagger-ui-dist/     Swagger UI for the admin API docs page
//   dist/_headers                    cache rules for the assets above
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'widget'), { recursive: true });

const common = {
  bundle: true,
  minify: true,
  target: 'es2022',
  legalComments: 'none',
  // Non-ASCII text (strings like '…', 'É') as itself, not as \uXXXX escapes: a third of the
  // escapes' bytes. Module scripts are always decoded as UTF-8; the loader has no such text.
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
};

/**
 * CSS inside the widget's style modules is shipped minified: comments and the indentation that
 * keeps it readable here go (whitespace around `{};,` and after `:` means nothing to CSS), which
 * saves bytes in every page view's download. Only backtick strings of these files are touched.
 */
const minifyWidgetCss = {
  name: 'minify-widget-css',
  setup(b) {
    b.onLoad({ filter: /widget[\\/]messenger[\\/](panel-)?styles\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace(/`[^`]*`/g, (text) =>
        text
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .replace(/` /, '`')
          .replace(/ `$/, '`'),
      );
      return { contents, loader: 'ts' };
    });
  },
};

const messenger = await build({
  ...common,
  entryPoints: { 'messenger-[hash]': join(root, 'widget/messenger/index.ts') },
  entryNames: 'messenger-[hash]',
  // The panel is a dynamic import: its own chunk, loaded on first open.
  splitting: true,
  chunkNames: '[name]-[hash]',
  format: 'esm',
  outdir: join(dist, 'widget'),
  plugins: [minifyWidgetCss],
});
const outputs = Object.entries(messenger.metafile.outputs).filter(([f]) => f.endsWith('.js'));
const toPath = (file) => `/${relative(dist, join(root, file)).replaceAll('\\', '/')}`;
const isEntry = ([, o]) => o.entryPoint?.endsWith('messenger/index.ts');
const bundlePath = toPath(outputs.find(isEntry)[0]);
/**
 * V8's explicit compile hint (Chrome 136+, ignored elsewhere): the entry (the lean start-up) and
 * the chunk it imports statically (launcher, storage, session, page info: the code it shares with
 * the full messenger) run nearly all of their functions on every page view, so they are compiled
 * in one full parse when the module is compiled, not pre-parsed and then compiled again, function
 * by function, on first call on the main thread. Not the chunks loaded on demand (the full
 * messenger, the Lit panel): much of them never runs on a given page. The comment is constant,
 * so a file's content hash still changes exactly when its code does.
 */
const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';
const [entryOutput, entryMeta] = outputs.find(isEntry);
const startUp = [
  entryOutput,
  ...entryMeta.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path),
];
for (const file of startUp)
  writeFileSync(join(root, file), COMPILE_HINT + readFileSync(join(root, file), 'utf8'));
// Every other chunk (the Lit panel, the URL check a redirect loads): the rest of the whole messenger.
const chunkPaths = outputs.filter((o) => !isEntry(o)).map(([f]) => toPath(f));

await build({
  ...common,
  entryPoints: [join(root, 'widget/loader/loader.ts')],
  format: 'iife',
  outfile: join(dist, 'widget.js'),
  define: {
    MESSENGER_PATH: JSON.stringify(bundlePath),
    // The chunk the entry imports statically: fetched alongside it, not after it (one round trip).
    START_CHUNKS: JSON.stringify(startUp.slice(1).map(toPath)),
  },
});

// The appearance preview: the same messenger element, in its own bundle (the site's bundle and
// its budget are unchanged), on a page of its own that only the console's origin may frame.
const preview = await build({
  ...common,
  entryPoints: { 'preview-[hash]': join(root, 'widget/preview/preview.ts') },
  entryNames: 'preview-[hash]',
  format: 'esm',
  outdir: join(dist, 'widget'),
  plugins: [minifyWidgetCss],
});
const previewFile = Object.keys(preview.metafile.outputs).find((f) => f.endsWith('.js'));
mkdirSync(join(dist, 'preview'), { recursive: true });
writeFileSync(
  join(dist, 'preview', 'messenger.html'),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Messenger preview</title>
    <link rel="icon" href="data:," />
    <script type="module" src="/${relative(dist, join(root, previewFile)).replaceAll('\\', '/')}"></script>
  </head>
  <body>
    <main><p>A page of your site, with the messenger as visitors see it.</p></main>
  </body>
</html>
`,
);

cpSync(join(root, 'demo'), dist, { recursive: true });
// Swagger UI for /v1/admin/docs, served from our own assets: the docs work offline and behind
// a strict network policy (no CDN at runtime).
const swaggerDist = join(root, 'node_modules', 'swagger-ui-dist');
for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'LICENSE']) {
  cpSync(join(swaggerDist, file), join(dist, 'vendor', 'swagger-ui-dist', file));
}
writeFileSync(
  join(dist, '_headers'),
  [
    '/widget/*',
    '  Cache-Control: public, max-age=31536000, immutable',
    '  Access-Control-Allow-Origin: *',
    '/widget.js',
    '  Cache-Control: public, max-age=300',
    // The console's appearance preview: framed by the console only, and no network at all, so
    // the previewed messenger cannot open a conversation even if it tried.
    '/preview/*',
    "  Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    '  Cache-Control: no-cache',
    // The strict-CSP demo page: the messenger must work with no inline script or style.
    '/csp/*',
    "  Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'",
    // Nonce-only scripts: the loader must hand the nonce to the bundle it loads.
    '/csp-nonce/*',
    "  Content-Security-Policy: default-src 'none'; script-src 'nonce-edgepilot-demo-nonce'; style-src 'self'; connect-src 'self'; img-src 'self'",
    '',
  ].join('\n'),
);
writeFileSync(
  join(dist, 'widget-manifest.json'),
  JSON.stringify({ messenger: bundlePath, chunks: chunkPaths }, null, 2),
);
console.log(`widget built: /widget.js -> ${bundlePath}`);
