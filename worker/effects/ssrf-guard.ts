/**
 * SSRF guard for flow webhooks: only http(s) to public addresses. The WHATWG URL parser
 * already canonicalises IPv4 literals (decimal `2130706433`, hex `0x7f000001`, octal `0177.1`,
 * short `127.1` all become `127.0.0.1`), so the checks below see one form. Hostnames are
 * checked by name (localhost, *.internal, metadata names, wildcard-DNS names that embed a private
 * address such as `127.0.0.1.nip.io`, public names known to point at loopback such as `lvh.me`).
 * Outside local development the webhook runner also resolves other names over DNS-over-HTTPS and
 * checks every address (`checkAddress`, worker/effects/dns-resolve.ts) before connecting; on
 * Cloudflare's network a Worker's egress cannot reach private networks anyway.
 */

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

/** IPv4 ranges that never belong to a public webhook: [first octets as number, prefix]. */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const LOOPBACK_V4: [string, number] = ['127.0.0.0', 8];

function v4ToInt(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

function inRange(ip: number, [base, prefix]: [string, number]): boolean {
  const start = v4ToInt(base) ?? 0;
  const size = 2 ** (32 - prefix);
  return ip >= start && ip < start + size;
}

function checkV4(ip: number, options: GuardOptions): string | null {
  if (inRange(ip, LOOPBACK_V4)) return options.allowLoopback ? null : 'loopback address';
  for (const range of BLOCKED_V4) if (inRange(ip, range)) return 'private or reserved address';
  return null;
}

/** Parses an IPv6 literal (without brackets) into 8 16-bit groups. */
function parseV6(literal: string): number[] | null {
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two hex groups; URL usually did this already.
  const text = literal.replace(/(\d+\.\d+\.\d+\.\d+)$/, (v4text) => {
    const v4 = v4ToInt(v4text) ?? -1;
    return v4 < 0 ? 'x' : `${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  });
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
  const left = parse(halves[0] ?? '');
  const right = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const zeros = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (zeros < 0) return null;
  const groups = [...left, ...new Array<number>(zeros).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  return groups;
}

function checkV6(groups: number[], options: GuardOptions): string | null {
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = groups;
  const allZeroUntil = (n: number) => groups.slice(0, n).every((g) => g === 0);
  if (allZeroUntil(7) && g7 === 1) return options.allowLoopback ? null : 'loopback address';
  if (allZeroUntil(8)) return 'unspecified address';
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  const embedded = g6 * 65536 + g7;
  if (allZeroUntil(5) && (g5 === 0xffff || g5 === 0)) return checkV4(embedded, options);
  if (g0 === 0x64 && groups[1] === 0xff9b) return checkV4(embedded, options);
  if ((g0 & 0xfe00) === 0xfc00) return 'unique local address';
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return 'link-local address';
  if ((g0 & 0xff00) === 0xff00) return 'multicast address';
  if (g0 === 0x2001 && groups[1] === 0x0db8) return 'documentation address';
  return null;
}

/** The reason a host name that embeds an IPv4 address (wildcard DNS) is refused, if it is. */
function checkEmbeddedV4(host: string, options: GuardOptions): string | null {
  const found: number[] = [];
  for (const m of host.matchAll(EMBEDDED_V4)) {
    const ip = v4ToInt(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
    if (ip !== null) found.push(ip);
  }
  for (const m of host.matchAll(EMBEDDED_HEX_V4)) found.push(parseInt(m[1] as string, 16));
  for (const ip of found) {
    const blocked = checkV4(ip, options);
    if (blocked) return `host name embeds a ${blocked}`;
  }
  return null;
}

/** Checks one resolved address (IPv4 dotted or IPv6 text) like a literal in the URL. */
export function checkAddress(address: string, options: GuardOptions): string | null {
  const v4 = v4ToInt(address);
  if (v4 !== null) return checkV4(v4, options);
  const groups = parseV6(address.toLowerCase());
  return groups ? checkV6(groups, options) : 'unreadable address';
}

/** Whether `host` (as URL.hostname gives it) is a name that needs resolving, not a literal. */
export function isHostName(host: string): boolean {
  return !host.startsWith('[') && v4ToInt(host) === null;
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
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[')) {
    const groups = parseV6(host.slice(1, -1));
    if (!groups) return { ok: false, reason: 'invalid IPv6 address' };
    const blocked = checkV6(groups, options);
    return blocked ? { ok: false, reason: blocked } : { ok: true, url };
  }
  const v4 = v4ToInt(host);
  if (v4 !== null) {
    const blocked = checkV4(v4, options);
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
