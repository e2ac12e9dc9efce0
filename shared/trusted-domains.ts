/**
 * Trusted-domain matching for the session endpoint: `example.com` matches exactly that host,
 * `*.example.com` matches any subdomain (not the apex). Ports are ignored; hosts compare
 * case-insensitively.
 */
export function hostAllowed(host: string, trustedDomains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return trustedDomains.some((pattern) => {
    const p = pattern.toLowerCase().trim();
    if (p.startsWith('*.')) {
      const suffix = p.slice(1);
      return h.endsWith(suffix) && h.length > suffix.length;
    }
    return h === p;
  });
}

/** The host of an Origin header value, or null when it is missing or not an http(s) origin. */
export function originHost(origin: string | null | undefined): string | null {
  if (!origin) return null;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname : null;
  } catch {
    return null;
  }
}
