#!/usr/bin/env node
// Builds the widget into dist/ (served by the Worker's assets binding):
//   dist/widget/messenger-<hash>.js  the messenger bundle (immutable, content-hashed)
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
  metafile: true,
  logLevel: 'warning',
};

/**
 * esbuild minifies JavaScript but not the CSS inside lit's css`` templates: squeeze their
 * whitespace (comments, indentation, spaces around punctuation) so the messenger's styles cost
 * less of its budget. Combinator and value spaces (`.links a`, `0 4px`) stay.
 */
const minifyCss = {
  name: 'minify-lit-css',
  setup(b) {
    b.onLoad({ filter: /widget[\\/]messenger[\\/]styles\.ts$/ }, (args) => ({
      loader: 'ts',
      contents: readFileSync(args.path, 'utf8').replace(/css`([^`]*)`/g, (_, body) => {
        const squeezed = body
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/ ?([{};,>]) ?/g, '$1')
          .replace(/: /g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${squeezed}\``;
      }),
    }));
  },
};

const messenger = await build({
  ...common,
  plugins: [minifyCss],
  entryPoints: { 'messenger-[hash]': join(root, 'widget/messenger/index.ts') },
  entryNames: 'messenger-[hash]',
  format: 'esm',
  outdir: join(dist, 'widget'),
});
const bundleFile = Object.keys(messenger.metafile.outputs).find((f) => f.endsWith('.js'));
const bundlePath = `/${relative(dist, join(root, bundleFile)).replaceAll('\\', '/')}`;

await build({
  ...common,
  entryPoints: [join(root, 'widget/loader/loader.ts')],
  format: 'iife',
  outfile: join(dist, 'widget.js'),
  define: { MESSENGER_PATH: JSON.stringify(bundlePath) },
});

// The appearance preview: the same messenger element, in its own bundle (the site's bundle and
// its budget are unchanged), on a page of its own that only the console's origin may frame.
const preview = await build({
  ...common,
  entryPoints: { 'preview-[hash]': join(root, 'widget/preview/preview.ts') },
  entryNames: 'preview-[hash]',
  format: 'esm',
  outdir: join(dist, 'widget'),
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
    // The strict-CSP demo page: the messenger must work with no inline script or style.
    // The console's appearance preview: framed by the console only, and no network at all, so
    // the previewed messenger cannot open a conversation even if it tried.
    '/preview/*',
    "  Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    '  Cache-Control: no-cache',
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
  JSON.stringify({ messenger: bundlePath }, null, 2),
);
console.log(`widget built: /widget.js -> ${bundlePath}`);
