// Admin console weight (issue 13): what a browser downloads to open /admin — index.html, the
// stylesheet, the entry script and its static imports — each file compressed on its own as
// it is served, summed. Pages loaded on demand (the canvas editor, zod) are reported apart.
// The same measure `scripts/check-size.mjs` holds to <= 100 KB brotli.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUDGET, measureConsole } from '../../scripts/check-size.mjs';
import { root } from '../../scripts/dev-server.mjs';

export const CONSOLE_BUDGET = BUDGET.consoleFirstLoad;

export function benchConsoleWeight() {
  if (!existsSync(join(root, 'dist/console-manifest.json')))
    throw new Error('dist/console-manifest.json missing: run `npm run build` first');
  const m = measureConsole();
  return {
    firstLoad: m.consoleFirstLoad,
    html: m.consoleHtml,
    css: m.consoleCss,
    js: m.consoleJs,
    lazy: m.consoleLazy,
  };
}
