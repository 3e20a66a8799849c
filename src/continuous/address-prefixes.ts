// Whether a client address lies in one of a signal's prefixes (threat-list CIDRs or bare
// addresses), compiled once per change into a node:net BlockList. IPv4-mapped IPv6 addresses
// (`::ffff:198.51.100.7`, RFC 4291 §2.5.5.2: what a dual-stack socket reports for an IPv4 client)
// are matched as the IPv4 address they carry, so a v4 indicator catches them too.
import { BlockList, isIP } from 'node:net';
import { TenetError } from '../errors.js';

export type AddressTest = (address: string) => boolean;

/** A matcher for the prefixes; an entry that is neither an address nor a CIDR → TENET_ERR_INTERNAL_INVALID_PREFIX. */
export function addressPrefixes(prefixes: readonly string[]): AddressTest {
  const list = new BlockList();
  for (const entry of prefixes) {
    const [address = '', length, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    const bits = length === undefined ? max : /^\d{1,3}$/.test(length) ? Number(length) : Number.NaN;
    if (family === 0 || extra !== undefined || !(bits >= 0 && bits <= max)) {
      throw new TenetError('TENET_ERR_INTERNAL_INVALID_PREFIX', `"${entry}" is not an IP address or CIDR prefix`);
    }
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const family = isIP(address);
    if (family === 0) return false;
    if (family === 6) {
      const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
      if (mapped !== undefined && list.check(mapped, 'ipv4')) return true;
    }
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
