// Cedar's `ipaddr` extension: `ip("…")` and the methods isIpv4, isIpv6, isLoopback, isMulticast,
// isInRange. The parser reproduces cedar-policy-core 4.x `extensions/ipaddr.rs`, which delegates
// the address itself to Rust's `std::net::IpAddr` parser; the rules below are that parser's.
// https://docs.cedarpolicy.com/policies/syntax-operators.html (reference: cedar-policy-core 4.x on docs.rs)
import { CedarEvaluationError, type ExtensionValue } from '../value.js';

/** Longest accepted input, in bytes: `ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128` (ipaddr.rs). */
const MAX_INPUT_BYTES = 43;

const IPV4_PATTERN = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

const FULL_V4 = (1n << 32n) - 1n;
const FULL_V6 = (1n << 128n) - 1n;

export class IpAddrValue implements ExtensionValue {
  readonly extension = 'ipaddr' as const;
  /** `4:<hex addr>/<prefix>` or `6:…`: Cedar compares (address, prefix), host bits included. */
  readonly key: string;

  private constructor(
    /** 4 or 6: an IPv4-mapped IPv6 address such as `::ffff:a00:1` stays IPv6 (never equal to IPv4). */
    readonly version: 4 | 6,
    /** The address as written, host bits kept: `ip("10.0.0.1/24") != ip("10.0.0.0/24")`. */
    readonly address: bigint,
    /** CIDR prefix length; 32 or 128 for a single address, so `ip("10.0.0.1") == ip("10.0.0.1/32")`. */
    readonly prefix: number,
  ) {
    this.key = `${version}:${address.toString(16)}/${prefix}`;
  }

  /** Parses like Cedar's `ip(s)`; throws CedarEvaluationError on anything Cedar rejects. */
  static parse(text: string): IpAddrValue {
    if (Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES) throw ipError(text, 'string length is too large');
    // Cedar refuses IPv4 embedded in IPv6 (`::ffff:1.2.3.4`, `::1.2.3.4`): to keep it simple it
    // rejects any string with at least two colons and at least two dots (ipaddr.rs).
    if (countOf(text, ':') >= 2 && countOf(text, '.') >= 2) throw ipError(text, 'IPv4 embedded in IPv6 is not accepted');
    const slash = text.indexOf('/');
    const addressText = slash === -1 ? text : text.slice(0, slash);
    const v4 = parseIpv4(addressText);
    const v6 = v4 === undefined ? parseIpv6(addressText) : undefined;
    if (v4 === undefined && v6 === undefined) throw ipError(text, 'invalid IP address');
    const version = v4 === undefined ? 6 : 4;
    const address = v4 ?? v6 ?? 0n;
    const prefix = slash === -1 ? (version === 4 ? 32 : 128) : parsePrefix(text.slice(slash + 1), version, text);
    return new IpAddrValue(version, address, prefix);
  }

  isIpv4(): boolean {
    return this.version === 4;
  }

  isIpv6(): boolean {
    return this.version === 6;
  }

  /**
   * 127.0.0.0/8 or ::1. A range counts only if all of it is loopback, so the prefix must be at
   * least 8 (IPv4) or 128 (IPv6): `ip("127.0.0.1/7").isLoopback()` is false (ipaddr.rs).
   */
  isLoopback(): boolean {
    if (this.version === 4) return this.address >> 24n === 127n && this.prefix >= 8;
    return this.address === 1n && this.prefix >= 128;
  }

  /** 224.0.0.0/4 or ff00::/8, with the same whole-range rule as isLoopback. */
  isMulticast(): boolean {
    if (this.version === 4) return this.address >> 28n === 0xen && this.prefix >= 4;
    return this.address >> 120n === 0xffn && this.prefix >= 8;
  }

  /**
   * True when this address or range lies within `range`. Different IP versions are never in
   * range of each other. Both sides are widened to their network..broadcast span, host bits
   * and all, exactly as ipaddr.rs does.
   */
  isInRange(range: IpAddrValue): boolean {
    if (this.version !== range.version) return false;
    const width = this.version === 4 ? 32n : 128n;
    const full = this.version === 4 ? FULL_V4 : FULL_V6;
    const netmask = (prefix: number): bigint => (full << (width - BigInt(prefix))) & full;
    const hostmask = (prefix: number): bigint => full >> BigInt(prefix);
    const selfNetwork = this.address & netmask(this.prefix);
    const rangeNetwork = range.address & netmask(range.prefix);
    const selfBroadcast = this.address | hostmask(this.prefix);
    const rangeBroadcast = range.address | hostmask(range.prefix);
    return rangeNetwork <= selfNetwork && selfBroadcast <= rangeBroadcast;
  }

  toString(): string {
    return `${this.version === 4 ? formatIpv4(this.address) : formatIpv6(this.address)}/${this.prefix}`;
  }
}

function ipError(text: string, reason: string): CedarEvaluationError {
  return new CedarEvaluationError(`error while evaluating \`ipaddr\` extension function: ${reason}: \`${text}\``);
}

function countOf(text: string, char: string): number {
  let count = 0;
  for (const c of text) if (c === char) count += 1;
  return count;
}

/**
 * Rust's `Ipv4Addr` grammar: four dot-separated decimal octets of 1–3 ASCII digits, each ≤ 255,
 * and no leading zero (`010.0.0.1` is rejected rather than read as octal, RFC 6943 §3.1.1).
 */
function parseIpv4(text: string): bigint | undefined {
  const match = IPV4_PATTERN.exec(text);
  if (match === null) return undefined;
  let address = 0n;
  for (const octet of match.slice(1)) {
    if (octet.length > 1 && octet.startsWith('0')) return undefined;
    const value = Number(octet);
    if (value > 255) return undefined;
    address = (address << 8n) | BigInt(value);
  }
  return address;
}

/**
 * Rust's `Ipv6Addr` grammar minus the embedded-IPv4 tail (Cedar rejects those strings before
 * parsing): eight groups of 1–4 hex digits, or at most seven around a single `::`. No zone id.
 */
function parseIpv6(text: string): bigint | undefined {
  const gap = text.indexOf('::');
  const head = gap === -1 ? text : text.slice(0, gap);
  const tail = gap === -1 ? '' : text.slice(gap + 2);
  const headGroups = parseGroups(head);
  const tailGroups = parseGroups(tail);
  if (headGroups === undefined || tailGroups === undefined) return undefined;
  if (gap === -1 ? headGroups.length !== 8 : headGroups.length + tailGroups.length > 7) return undefined;
  const groups = [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
  return groups.reduce((address, group) => (address << 16n) | BigInt(group), 0n);
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!IPV6_GROUP.test(group)) return undefined;
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

/**
 * The part after `/`: ASCII digits only (no sign), no leading zero, at most 2 characters and
 * ≤ 32 for IPv4, at most 3 characters and ≤ 128 for IPv6 (ipaddr.rs `parse_prefix`).
 */
function parsePrefix(text: string, version: 4 | 6, input: string): number {
  const [maxLength, max] = version === 4 ? [2, 32] : [3, 128];
  if (text.length === 0 || text.length > maxLength || !/^[0-9]+$/.test(text)) throw ipError(input, `invalid prefix \`${text}\``);
  if (text.length > 1 && text.startsWith('0')) throw ipError(input, `prefix \`${text}\` has leading zero(s)`);
  const prefix = Number(text);
  if (prefix > max) throw ipError(input, `prefix ${prefix} is larger than the limit ${max}`);
  return prefix;
}

function formatIpv4(address: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((address >> shift) & 0xffn).toString()).join('.');
}

function formatIpv6(address: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((address >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}
