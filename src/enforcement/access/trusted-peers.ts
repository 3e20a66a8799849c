// Which peers may tell us who the client is (`proxy.trustedProxies`, addresses and CIDRs): only
// their X-Forwarded-* headers are believed, and only they may call forward-auth and the ext_authz
// HTTP service — anyone else could name any host, path or client address there. One matcher for
// every PEP, compiled once per list into a node:net BlockList.
import { BlockList, isIP } from 'node:net';
import { TenetError } from '../../errors.js';

/** True when `address` (a socket peer or an X-Forwarded-For entry) lies in one of the trusted ranges. */
export type TrustedPeerTest = (address: string | undefined) => boolean;

const compiled = new WeakMap<readonly string[], TrustedPeerTest>();

/** Distinct addresses whose answer is remembered; past this the memory starts afresh (no growth under a spray of addresses). */
const MAX_REMEMBERED_ADDRESSES = 4096;

/**
 * A matcher for the configured list (cached per list object, so calling this per request is
 * cheap). An invalid entry is a configuration error, never "trust nobody" silently:
 * TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY.
 */
export function trustedPeers(entries: readonly string[]): TrustedPeerTest {
  const cached = compiled.get(entries);
  if (cached !== undefined) return cached;
  const list = new BlockList();
  entries.forEach((entry, index) => {
    const parts = entry.split('/');
    const [address = '', prefixText] = parts;
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
    if (parts.length > 2 || family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY', `proxy.trustedProxies[${index}] is not an IP address or CIDR: ${entry}`, [
        { path: `proxy.trustedProxies[${index}]`, message: 'expected an IP address or CIDR', hint: 'e.g. "127.0.0.1/32", "10.0.0.0/8" or "::1/128"' },
      ]);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  });
  // Answers are remembered per address (bounded): BlockList.check builds an address object per
  // call, and every request asks for its peer and each X-Forwarded-For hop.
  const answers = new Map<string, boolean>();
  const test: TrustedPeerTest = (candidate) => {
    if (candidate === undefined) return false;
    const known = answers.get(candidate);
    if (known !== undefined) return known;
    const ip = canonicalIp(candidate);
    const trusted = ip !== undefined && list.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
    if (answers.size >= MAX_REMEMBERED_ADDRESSES) answers.clear();
    answers.set(candidate, trusted);
    return trusted;
  };
  compiled.set(entries, test);
  return test;
}

/**
 * Canonical text of an IP literal, or undefined when it is not one. IPv4-mapped IPv6 (what a
 * dual-stack socket reports, `::ffff:127.0.0.1`) becomes IPv4; IPv6 is compressed and lower-case;
 * brackets are dropped. Strict: node:net accepts only four-part decimal IPv4 ("127.1" is not an IP).
 */
export function canonicalIp(address: string): string | undefined {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 0) return undefined;
  const compressed = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (mapped === null) return compressed;
  const high = Number.parseInt(mapped[1] ?? '0', 16);
  const low = Number.parseInt(mapped[2] ?? '0', 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * One X-Forwarded-For element as an address, or undefined when it is not one. Proxies sometimes
 * add a port ("203.0.113.7:5123", "[2001:db8::1]:443"); the port is not part of the client identity.
 */
export function forwardedForAddress(element: string): string | undefined {
  let text = element.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1] ?? '';
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  return canonicalIp(text);
}
