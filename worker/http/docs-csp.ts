/**
 * Content-Security-Policy for the admin docs page (Swagger UI): scripts only from our own origin
 * plus the page's inline bootstrap script, pinned by its SHA-256; nothing from other origins;
 * the page may not be framed. The hashes are computed from the HTML actually served, so a
 * Swagger UI upgrade that changes the bootstrap keeps working without a hand-kept hash.
 */
import type { MiddlewareHandler } from 'hono';

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The policy for `html`: every inline `<script>` body is allowed by hash, nothing else inline. */
export async function docsPolicy(html: string): Promise<string> {
  const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  const hashes = await Promise.all(inline.map(async (s) => `'sha256-${await sha256Base64(s)}'`));
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    // Swagger UI styles elements from script (allowed by CSP); its stylesheet is ours.
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const docsCsp: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.get('content-type')?.includes('text/html')) return;
  const policy = await docsPolicy(await c.res.clone().text());
  c.res.headers.set('content-security-policy', policy);
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'no-referrer');
};
