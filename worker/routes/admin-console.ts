/**
 * `/admin` and every deep link under it answer the console's `index.html` (a single-page app:
 * the client router reads the path), with the console's strict CSP. Its hashed scripts and
 * styles under `/admin/assets/` are plain static assets (wrangler.toml keeps them off the
 * Worker), with the same policy set by `dist/_headers`.
 */
import { Hono } from 'hono';
import { ErrorCode } from '../../shared/errors.ts';
import type { AppEnv } from '../env.ts';
import { errorBody } from '../http/api-error.ts';

/**
 * No inline script or style, no eval, nothing from another origin, no framing of the console;
 * it frames only its own origin (the appearance preview, /preview/messenger).
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const consoleRoutes = new Hono<{ Bindings: AppEnv }>();

// A hashed file that is not there (an old page asking for a chunk replaced by a deploy) is a
// 404, never the page: HTML answered for a script would fail as a confusing module error.
// (wrangler.toml keeps /admin/assets/* off the Worker, so the assets layer answers first; this
// holds should a request reach the Worker anyway.)
consoleRoutes.get('/assets/*', (c) =>
  c.json(errorBody(ErrorCode.notFound, 'No such console file'), 404),
);

consoleRoutes.get('/*', async (c) => {
  // `/admin/` is where the assets binding serves dist/admin/index.html (auto-trailing-slash).
  const page = await c.env.ASSETS.fetch(new URL('/admin/', c.req.url));
  if (!page.ok) return c.text('The admin console is not built: run `npm run build`', 503);
  const headers = new Headers(page.headers);
  headers.set('Content-Security-Policy', CONSOLE_CSP);
  headers.set('Cache-Control', 'no-cache');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  return new Response(page.body, { status: 200, headers });
});
