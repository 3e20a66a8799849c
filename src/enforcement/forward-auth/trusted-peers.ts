// Which peers are trusted proxies (`proxy.trustedProxies`): the only callers that may use
// forward-auth and the ext_authz HTTP service, and the only hops whose X-Forwarded-For entries are
// believed. Anyone else could name any host and path in X-Forwarded-* and get a decision for it.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { TenetError } from '../../errors.js';

/** True when `address` (a socket peer or an X-Forwarded-For entry) lies in one of the trusted ranges. */
export type TrustedPeerTest = (address: string | undefined) => boolean;

/** Canonical form of an IP address: IPv4-mapped IPv6 (`::ffff:127.0.0.1`, what a dual-stack socket reports) becomes IPv4. undefined when not an IP literal. */
export function canonicalIp(address: string): string | undefined {
  // node:net is strict (four-part decimal only); ipaddr.js alone would also accept "127.1" or "0x7f.0.0.1".
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIP(bare) === 0) return undefined;
  return ipaddr.process(bare).toString();
}

/** Parses the trusted ranges once; an invalid range is a configuration error, never "trust nobody" silently. */
export function trustedPeers(cidrs: readonly string[]): TrustedPeerTest {
  const ranges = cidrs.map((cidr, index) => {
    const parts = cidr.split('/');
    const [address, prefix] = parts;
    const ip = address === undefined || parts.length > 2 ? undefined : canonicalIp(address);
    if (ip === undefined) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY', `proxy.trustedProxies[${index}] "${cidr}" is not an IP address or CIDR range.`, [
        { path: `proxy.trustedProxies[${index}]`, message: 'expected an IP address or CIDR, e.g. "127.0.0.1/32" or "10.0.0.0/8"' },
      ]);
    }
    const parsed = ipaddr.parse(ip);
    const max = parsed.kind() === 'ipv4' ? 32 : 128;
    const bits = prefix === undefined ? max : Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > max || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID_TRUSTED_PROXY', `proxy.trustedProxies[${index}] "${cidr}" has an invalid prefix length.`, [
        { path: `proxy.trustedProxies[${index}]`, message: `prefix length must be 0..${max}` },
      ]);
    }
    return [parsed, bits] as const;
  });
  return (address) => {
    if (address === undefined) return false;
    const ip = canonicalIp(address);
    if (ip === undefined) return false;
    const parsed = ipaddr.parse(ip);
    // INVARIANT: kinds are compared before match(); ipaddr.js throws on an IPv4/IPv6 mix.
    return ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
  };
}
