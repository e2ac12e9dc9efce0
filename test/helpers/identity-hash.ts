/**
 * What a site's backend computes for `identify` (SPEC 3.1): hex(HMAC-SHA256(secret, userId)).
 * Written here from the spec, not imported from the worker, so tests check the worker against
 * it. Web Crypto only: the Workers runtime and Node suites share it.
 */
export async function hmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
