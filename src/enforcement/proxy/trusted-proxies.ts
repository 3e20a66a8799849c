// Which peers may tell us who the client is: `proxy.trustedProxies` (addresses and CIDRs) compiled
// once into a node:net BlockList. Only a peer in this list has its X-Forwarded-* headers believed
// (everyone else could write anything there).
import { BlockList, isIP } from 'node:net';
import { TenetError } from '../../errors.js';

export type TrustedProxyMatcher = (address: string) => boolean;

const compiled = new WeakMap<readonly string[], TrustedProxyMatcher>();

/** A matcher for the configured list (cached per list object, so calling this per request is cheap). Throws TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY for an entry that is not an address or CIDR. */
export function trustedProxyMatcher(entries: readonly string[]): TrustedProxyMatcher {
  const cached = compiled.get(entries);
  if (cached) return cached;
  const list = new BlockList();
  entries.forEach((entry, index) => {
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY', `proxy.trustedProxies[${index}] is not an IP address or CIDR: ${entry}`, [
        { path: `proxy.trustedProxies[${index}]`, message: 'expected an IP address or CIDR', hint: 'e.g. "127.0.0.1/32", "10.0.0.0/8" or "::1/128"' },
      ]);
    }
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  });
  const matcher: TrustedProxyMatcher = (candidate) => {
    const family = isIP(candidate);
    // BlockList matches IPv4-mapped IPv6 peers (::ffff:10.0.0.1) against IPv4 rules itself.
    return family !== 0 && list.check(candidate, family === 4 ? 'ipv4' : 'ipv6');
  };
  compiled.set(entries, matcher);
  return matcher;
}

/** The socket's address as policies should see it: IPv4-mapped IPv6 (dual-stack listeners) becomes plain IPv4. */
export function normalizeIp(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped?.[1] ?? address;
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
  return isIP(text) === 0 ? undefined : normalizeIp(text);
}
