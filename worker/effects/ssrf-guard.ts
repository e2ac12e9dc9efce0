/**
 * SSRF guard for flow webhooks: only http(s) to public addresses. The WHATWG URL parser
 * already canonicalises IPv4 literals (decimal `2130706433`, hex `0x7f000001`, octal `0177.1`,
 * short `127.1` all become `127.0.0.1`), so the checks below see one form. Hostnames are
 * checked by name (localhost, *.internal, metadata names, wildcard-DNS names that embed a private
 * address such as `127.0.0.1.nip.io`, public names known to point at loopback such as `lvh.me`).
 * Outside local development the webhook runner also resolves other names over DNS-over-HTTPS and
 * checks every address (`checkAddress`, worker/effects/dns-resolve.ts) before connecting; on
 * Cloudflare's network a Worker's egress cannot reach private networks anyway. Addresses are
 * parsed and classified by ipaddr.js (its special-purpose registry: private, link-local, CGNAT,
 * documentation, 6to4, Teredo, NAT64, …); only plain unicast passes.
 */
import ipaddr from 'ipaddr.js';

export interface GuardOptions {
  /** Local development only: allow 127.0.0.0/8, ::1 and localhost (for a local test server). */
  allowLoopback: boolean;
  /** Resolves a host name to its addresses (A and AAAA); every one must pass `checkAddress`. */
  resolve?: (host: string, signal: AbortSignal) => Promise<string[]>;
}

export type GuardResult = { ok: true; url: URL } | { ok: false; reason: string };

const BLOCKED_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);
const BLOCKED_SUFFIXES = ['.internal', '.local', '.localdomain', '.home.arpa'];
/** Public names whose every subdomain resolves to 127.0.0.1 (popular local-dev helpers). */
const LOOPBACK_DOMAINS = ['localtest.me', 'lvh.me', 'vcap.me', 'localho.st', 'lacolhost.com'];
/** An IPv4 address written into a host name: `10.0.0.1.nip.io`, `127-0-0-1.sslip.io`. */
const EMBEDDED_V4 = /(?:^|[.-])(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})(?=$|[.-])/g;
/** nip.io / sslip.io also accept the address as 8 hex digits: `7f000001.nip.io`. */
const EMBEDDED_HEX_V4 = /(?:^|[.-])([0-9a-f]{8})(?=\.)/g;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Words for ipaddr.js range names in refusal reasons. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: 'unspecified address',
  private: 'private address',
  linkLocal: 'link-local address',
  uniqueLocal: 'unique local address',
  deprecatedSiteLocal: 'link-local address',
  carrierGradeNat: 'carrier-grade NAT address',
  multicast: 'multicast address',
  broadcast: 'broadcast address',
};

/**
 * IPv6 forms whose packets are carried to an IPv4 address written inside them: 6to4
 * (2002:AABB:CCDD::), Teredo (2001:0::, client address inverted in the last 32 bits), NAT64
 * (64:ff9b::/96 and the local-use 64:ff9b:1::/48), SIIT (::ffff:0:a.b.c.d), the deprecated
 * IPv4-compatible ::a.b.c.d and ISATAP interface ids (…:0:5efe:a.b.c.d). They are refused
 * outright, whatever they embed: `[2002:7f00:1::]` reaches 127.0.0.1 through a relay or
 * translator we cannot vouch for, and no real webhook lives at one (6to4 is deprecated by
 * RFC 7526, Teredo is a client tunnel, DNS64 answers never come from our resolver).
 */
function embeddedV4(address: ipaddr.IPv6): { form: string; v4: ipaddr.IPv4 } | null {
  const p = address.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  const range = address.range();
  if (range === '6to4') return { form: '6to4', v4: v4(p[1] ?? 0, p[2] ?? 0) };
  if (range === 'teredo')
    return { form: 'Teredo', v4: v4(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff) };
  if (range === 'rfc6052') return { form: 'NAT64', v4: v4(p[6] ?? 0, p[7] ?? 0) };
  if (range === 'rfc6145') return { form: 'SIIT', v4: v4(p[6] ?? 0, p[7] ?? 0) };
  if (p.slice(0, 6).every((g) => g === 0))
    return { form: 'IPv4-compatible', v4: v4(p[6] ?? 0, p[7] ?? 0) };
  if ((p[4] === 0 || p[4] === 0x200) && p[5] === 0x5efe)
    return { form: 'ISATAP', v4: v4(p[6] ?? 0, p[7] ?? 0) };
  return null;
}

function checkV4(ip: ipaddr.IPv4, options: GuardOptions): string | null {
  const range = ip.range();
  if (range === 'unicast') return null;
  if (range === 'loopback') return options.allowLoopback ? null : 'loopback address';
  return RANGE_WORDS[range] ?? 'reserved address';
}

function checkIp(ip: Address, options: GuardOptions): string | null {
  if (ip.kind() === 'ipv4') return checkV4(ip as ipaddr.IPv4, options);
  const v6 = ip as ipaddr.IPv6;
  // ::ffff:a.b.c.d is the IPv4 address itself (how a dual-stack socket writes it).
  if (v6.isIPv4MappedAddress()) return checkV4(v6.toIPv4Address(), options);
  const range = v6.range();
  if (range === 'loopback') return options.allowLoopback ? null : 'loopback address';
  if (range === 'unspecified') return 'unspecified address';
  const embedded = embeddedV4(v6);
  if (embedded) return `${embedded.form} address (embeds ${embedded.v4.toString()})`;
  if (range === 'unicast') return null;
  return RANGE_WORDS[range] ?? 'reserved address';
}

/** A dotted-quad IPv4 literal, or null (the URL parser already turned other spellings into one). */
function parseV4(text: string): ipaddr.IPv4 | null {
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : null;
}

/** The reason a host name that embeds an IPv4 address (wildcard DNS) is refused, if it is. */
function checkEmbeddedV4(host: string, options: GuardOptions): string | null {
  const found: ipaddr.IPv4[] = [];
  for (const m of host.matchAll(EMBEDDED_V4)) {
    const ip = parseV4(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
    if (ip) found.push(ip);
  }
  for (const m of host.matchAll(EMBEDDED_HEX_V4)) {
    const n = parseInt(m[1] as string, 16);
    found.push(new ipaddr.IPv4([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
  }
  for (const ip of found) {
    const blocked = checkV4(ip, options);
    if (blocked) return `host name embeds a ${blocked}`;
  }
  return null;
}

/** Checks one resolved address (IPv4 dotted or IPv6 text) like a literal in the URL. */
export function checkAddress(address: string, options: GuardOptions): string | null {
  const v4 = parseV4(address);
  if (v4) return checkV4(v4, options);
  return ipaddr.IPv6.isValid(address)
    ? checkIp(ipaddr.IPv6.parse(address), options)
    : 'unreadable address';
}

/** Whether `host` (as URL.hostname gives it) is a name that needs resolving, not a literal. */
export function isHostName(host: string): boolean {
  return !host.startsWith('[') && parseV4(host) === null;
}

/** Decides whether a webhook may call `raw`. */
export function guardUrl(raw: string, options: GuardOptions): GuardResult {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: `protocol ${url.protocol} is not allowed` };
  if (url.username || url.password) return { ok: false, reason: 'credentials in URL' };
  // Every trailing dot: "localhost.." is localhost to a resolver, not another name.
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  if (host.includes('..')) return { ok: false, reason: 'invalid host name' };
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (host.startsWith('[') || parseV4(host)) {
    if (!ipaddr.isValid(literal)) return { ok: false, reason: 'invalid IP address' };
    const blocked = checkAddress(literal, options);
    return blocked ? { ok: false, reason: blocked } : { ok: true, url };
  }
  if (host === 'localhost' || host.endsWith('.localhost'))
    return options.allowLoopback ? { ok: true, url } : { ok: false, reason: 'loopback address' };
  if (BLOCKED_NAMES.has(host) || BLOCKED_SUFFIXES.some((suffix) => host.endsWith(suffix)))
    return { ok: false, reason: 'internal host name' };
  if (
    !options.allowLoopback &&
    LOOPBACK_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`))
  )
    return { ok: false, reason: 'host name resolves to loopback' };
  const embedded = checkEmbeddedV4(host, options);
  if (embedded) return { ok: false, reason: embedded };
  if (!host.includes('.')) return { ok: false, reason: 'single-label host name' };
  return { ok: true, url };
}
