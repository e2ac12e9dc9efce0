#!/usr/bin/env node
// Builds the widget into dist/ (served by the Worker's assets binding):
//   dist/widget/messenger-<hash>.js  the messenger bundle (immutable, content-hashed)
//   dist/widget.js                   the loader, which knows the hashed bundle's path
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
