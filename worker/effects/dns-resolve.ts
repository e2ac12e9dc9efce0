/**
 * Host name resolution for the webhook SSRF guard. Workers have no DNS API, so outside local
 * development a webhook's host name is resolved over DNS-over-HTTPS (RFC 8484's JSON flavour at
 * Cloudflare's resolver) and every A/AAAA answer is checked like an address literal before the
 * request goes out. A name that does not resolve is refused (fail closed). Residual risk: a
 * rebinding name may answer differently a moment later; Cloudflare's egress still cannot reach
 * private networks, so this is defence in depth, not the only wall.
 */
import { z } from 'zod';

const DOH_ENDPOINT = 'https://cloudflare-dns.com/dns-query';
const A = 1;
const AAAA = 28;

const dohAnswerSchema = z.object({
  Status: z.number(),
  Answer: z.array(z.object({ type: z.number(), data: z.string() })).optional(),
});

async function query(host: string, type: 'A' | 'AAAA', signal: AbortSignal): Promise<string[]> {
  const url = `${DOH_ENDPOINT}?name=${encodeURIComponent(host)}&type=${type}`;
  const response = await fetch(url, { headers: { accept: 'application/dns-json' }, signal });
  if (!response.ok) throw new Error(`DNS-over-HTTPS answered ${response.status}`);
  const answer = dohAnswerSchema.parse(await response.json());
  // Only address records count: CNAME chains are followed by the resolver itself.
  return (answer.Answer ?? []).filter((a) => a.type === A || a.type === AAAA).map((a) => a.data);
}

/** Every IPv4 and IPv6 address `host` resolves to; throws when it cannot be resolved. */
export async function resolveOverHttps(host: string, signal: AbortSignal): Promise<string[]> {
  const [v4, v6] = await Promise.all([query(host, 'A', signal), query(host, 'AAAA', signal)]);
  const addresses = [...v4, ...v6];
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  return addresses;
}
