// IP addresses and CIDR prefixes as bits, normalised for the threat index. Strict on input: only
// four-part decimal IPv4 (no `127.1`, no octal `010.0.0.1`, which libraries disagree about) and
// standard IPv6 text. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is the IPv4 address, so a feed and a
// dual-stack proxy that write the same client differently still match.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type IpFamily = 'ipv4' | 'ipv6';

export interface IpAddressBits {
  readonly family: IpFamily;
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
}

export interface IpPrefix extends IpAddressBits {
  readonly length: number;
  /** Canonical text: `203.0.113.0/24`, `2001:db8::/32`, `198.51.100.7/32`. */
  readonly text: string;
}

export type PrefixResult = { readonly ok: true; readonly prefix: IpPrefix } | { readonly ok: false; readonly message: string; readonly hint?: string };

/** Parses an address (a zone id such as `%eth0` is ignored). Undefined when it is not an IP address. */
export function parseAddress(text: string): IpAddressBits | undefined {
  const zone = text.indexOf('%');
  const bare = zone === -1 ? text : text.slice(0, zone);
  const version = isIP(bare);
  if (version === 0 || (zone !== -1 && version !== 6)) return undefined;
  const address = ipaddr.parse(bare);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return { family: 'ipv4', bytes: Uint8Array.from((address as ipaddr.IPv6).toIPv4Address().toByteArray()) };
  }
  return { family: version === 4 ? 'ipv4' : 'ipv6', bytes: Uint8Array.from(address.toByteArray()) };
}

/** Parses an indicator: an IP (a single-address prefix) or a CIDR whose host bits are zero. */
export function parsePrefix(raw: string): PrefixResult {
  const text = raw.trim();
  const parts = text.split('/');
  if (parts.length > 2) return { ok: false, message: `"${clip(text)}" has more than one "/"` };
  const [addressText = '', lengthText] = parts;
  if (addressText.includes('%')) return { ok: false, message: `"${clip(text)}" has a zone id; indicators must be global addresses` };
  const version = isIP(addressText);
  if (version === 0) return { ok: false, message: `"${clip(addressText)}" is not an IPv4 or IPv6 address`, hint: 'IPv4 must be four decimal parts without leading zeros (192.0.2.1)' };

  let bytes = Uint8Array.from(ipaddr.parse(addressText).toByteArray());
  let family: IpFamily = version === 4 ? 'ipv4' : 'ipv6';
  const maxLength = bytes.length * 8;
  let length = maxLength;
  if (lengthText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText) || Number(lengthText) > maxLength) {
      return { ok: false, message: `"${clip(lengthText)}" is not a prefix length for ${family === 'ipv4' ? 'IPv4 (0-32)' : 'IPv6 (0-128)'}` };
    }
    length = Number(lengthText);
  }

  if (family === 'ipv6' && length >= 96 && isMappedIPv4(bytes)) {
    bytes = bytes.slice(12);
    family = 'ipv4';
    length -= 96;
  }

  const hostBitsAt = firstHostBitSet(bytes, length);
  if (hostBitsAt !== undefined) {
    const network = maskHostBits(bytes, length);
    return {
      ok: false,
      message: `"${clip(text)}" has host bits set after /${length}`,
      hint: `did you mean ${formatPrefix(family, network, length)}? (a CIDR names its network address)`,
    };
  }
  return { ok: true, prefix: { family, bytes, length, text: formatPrefix(family, bytes, length) } };
}

/** Bit `index` (0 = most significant) of `bytes`. */
export function bitAt(bytes: Uint8Array, index: number): 0 | 1 {
  return (((bytes[index >> 3] ?? 0) >> (7 - (index & 7))) & 1) as 0 | 1;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** The 16-byte IPv4-mapped IPv6 form of a 4-byte IPv4 address (`::ffff:a.b.c.d`). */
export function toMappedIPv6(ipv4: Uint8Array): Uint8Array {
  return Uint8Array.from([...MAPPED_PREFIX, ...ipv4]);
}

function isMappedIPv4(bytes: Uint8Array): boolean {
  return MAPPED_PREFIX.every((b, i) => bytes[i] === b);
}

function firstHostBitSet(bytes: Uint8Array, length: number): number | undefined {
  for (let i = length; i < bytes.length * 8; i += 1) if (bitAt(bytes, i) === 1) return i;
  return undefined;
}

function maskHostBits(bytes: Uint8Array, length: number): Uint8Array {
  return bytes.map((byte, i) => {
    const keep = Math.min(8, Math.max(0, length - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}

function formatPrefix(family: IpFamily, bytes: Uint8Array, length: number): string {
  const address = family === 'ipv4' ? ipaddr.fromByteArray([...bytes]).toString() : (ipaddr.fromByteArray([...bytes]) as ipaddr.IPv6).toRFC5952String();
  return `${address}/${length}`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
