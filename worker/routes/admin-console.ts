/**
 * `/admin` and every deep link under it answer the console's `index.html` (a single-page app:
 * the client router reads the path), with the console's strict CSP. Its hashed scripts and
 * styles under `/admin/assets/` are plain static assets (wrangler.toml keeps them off the
 * Worker), with the same policy set by `dist/_headers`.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

/** No inline script or style, no eval, nothing from another origin, no framing. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const consoleRoutes = new Hono<{ Bindings: AppEnv }>();

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
