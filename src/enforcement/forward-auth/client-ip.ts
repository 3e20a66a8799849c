// The client's address from X-Forwarded-For as reported by a trusted proxy: the right-most entry
// that is not itself a trusted proxy. Entries further left were written by whoever sent the request
// to that hop, the client included, so they are never believed (RFC 7239 §5.2 warns of the same).
import { canonicalIp, type TrustedPeerTest } from '../access/trusted-peers.js';

/** One element: an address, optionally with a port as some proxies write it ("203.0.113.7:5123", "[2001:db8::1]:443"). */
function hopAddress(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) return canonicalIp(bracketed[1] ?? '');
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(entry);
  return canonicalIp(withPort?.[1] ?? entry);
}

export type ClientIpResult = { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly problem: string };

/** `value` is one or more X-Forwarded-For header values; several lines are one comma-separated list (RFC 9110 §5.3). */
export function clientIpFromForwardedFor(value: string | readonly string[], isTrusted: TrustedPeerTest): ClientIpResult {
  const entries = (typeof value === 'string' ? [value] : value)
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim());
  if (entries.length === 0 || entries.every((entry) => entry === '')) return { ok: false, problem: 'is empty' };
  const ips: string[] = [];
  for (const entry of entries) {
    const ip = hopAddress(entry);
    if (ip === undefined) return { ok: false, problem: `has an entry that is not an IP address: ${JSON.stringify(entry.slice(0, 64))}` };
    ips.push(ip);
  }
  for (let index = ips.length - 1; index >= 0; index -= 1) {
    const ip = ips[index] as string;
    if (!isTrusted(ip)) return { ok: true, ip };
  }
  // Every hop is a trusted proxy: the left-most one is where the request entered.
  return { ok: true, ip: ips[0] as string };
}
