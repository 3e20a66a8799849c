// Tests for ThreatIndex: covering matches, expiry, families, and a differential test against a
// naive linear scan over random indicators and addresses (seeded, so failures reproduce).
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import type { ThreatMatch } from '../../engine/signals.js';
import type { ThreatIndicator } from '../../store/ports.js';
import { parsePrefix } from './ip-prefix.js';
import { ThreatIndex } from './threat-index.js';

const addedAt = '2025-01-01T00:00:00.000Z';
const now = new Date('2025-03-01T00:00:00Z');
function ind(indicator: string, category = 'botnet', source = 'feed', expiresAt?: string): ThreatIndicator {
  return expiresAt === undefined ? { indicator, category, source, addedAt } : { indicator, category, source, addedAt, expiresAt };
}
const listed = (matches: readonly ThreatMatch[]): string[] => matches.map((m) => `${m.indicator} ${m.category}`);

describe('ThreatIndex', () => {
  const index = new ThreatIndex([
    ind('10.0.0.0/8', 'internal-scan'),
    ind('10.1.0.0/16', 'botnet'),
    ind('10.1.2.3/32', 'c2'),
    ind('10.1.2.3/32', 'tor', 'other-feed'),
    ind('192.0.2.0/24', 'expired', 'feed', '2025-02-01T00:00:00Z'),
    ind('198.51.100.0/24', 'future-expiry', 'feed', '2025-04-01T00:00:00Z'),
    ind('2001:db8::/32', 'v6-net'),
    ind('2001:db8::1/128', 'v6-host'),
  ]);

  it('returns every covering indicator, shortest prefix first', () => {
    expect(listed(index.lookup('10.1.2.3', now))).toEqual(['10.0.0.0/8 internal-scan', '10.1.0.0/16 botnet', '10.1.2.3/32 c2', '10.1.2.3/32 tor']);
    expect(listed(index.lookup('10.2.0.1', now))).toEqual(['10.0.0.0/8 internal-scan']);
    expect(index.lookup('11.0.0.1', now)).toEqual([]);
  });

  it('skips expired indicators and keeps expiresAt on matches', () => {
    expect(index.lookup('192.0.2.9', now)).toEqual([]);
    expect(index.lookup('192.0.2.9', new Date('2025-01-31T23:59:59Z'))).toHaveLength(1);
    expect(index.lookup('192.0.2.9', new Date('2025-02-01T00:00:00Z'))).toEqual([]);
    expect(index.lookup('198.51.100.1', now)).toEqual([{ indicator: '198.51.100.0/24', category: 'future-expiry', source: 'feed', expiresAt: '2025-04-01T00:00:00Z' }]);
  });

  it('matches IPv6, and IPv4-mapped IPv6 as IPv4', () => {
    expect(listed(index.lookup('2001:db8::1', now))).toEqual(['2001:db8::/32 v6-net', '2001:db8::1/128 v6-host']);
    expect(listed(index.lookup('::ffff:10.1.2.3', now))).toEqual(listed(index.lookup('10.1.2.3', now)));
    expect(listed(index.lookup('fe80::1%eth0', now))).toEqual([]);
  });

  it('lets an IPv6 prefix that contains ::ffff:0:0/96 cover IPv4 clients', () => {
    const wide = new ThreatIndex([ind('::/0', 'everything')]);
    expect(listed(wide.lookup('203.0.113.5', now))).toEqual(['::/0 everything']);
    // ::/64 covers ::ffff:0:0/96 too (its first 64 bits are zero); 2001:db8::/32 does not.
    expect(listed(index.lookup('11.0.0.1', now))).toEqual([]);
    expect(listed(new ThreatIndex([ind('::/64', 'z')]).lookup('11.0.0.1', now))).toEqual(['::/64 z']);
  });

  it('returns [] for an absent IP and throws for a malformed one', () => {
    expect(index.lookup(undefined, now)).toEqual([]);
    for (const bad of ['', 'not-an-ip', '10.1.2', '10.1.2.3/32', '010.1.2.3', '1::2::3', ' 10.1.2.3']) {
      expect(() => index.lookup(bad, now)).toThrow(expect.objectContaining({ code: 'TENET_ERR_REQUEST_INVALID_IP' }));
    }
  });

  it('refuses to build from invalid stored indicators, naming each', () => {
    expect(() => new ThreatIndex([ind('10.0.0.0/8'), ind('10.0.0.1/8'), ind('1.2.3.4', 'x', 'f', 'soon')])).toThrow(
      expect.objectContaining({ code: 'TENET_ERR_IMPORT_INVALID', issues: [expect.objectContaining({ path: '[1].indicator' }), expect.objectContaining({ path: '[2].expiresAt' })] }),
    );
  });
});

// Differential test: the trie must agree with a linear scan using ipaddr.js's own matching.
describe('ThreatIndex (differential)', () => {
  // mulberry32: tiny, seeded, good enough to spread bits.
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function randomBytes(random: () => number, n: number, base?: readonly number[]): number[] {
    // Reuse a few "hot" base prefixes so that indicators nest and overlap often.
    return Array.from({ length: n }, (_, i) => (base !== undefined && i < base.length && random() < 0.8 ? (base[i] ?? 0) : Math.floor(random() * 256)));
  }

  function maskTo(bytes: number[], length: number): number[] {
    return bytes.map((b, i) => b & ((0xff << (8 - Math.min(8, Math.max(0, length - i * 8)))) & 0xff));
  }

  type Scannable = { readonly indicator: ThreatIndicator; readonly range: [ipaddr.IPv4 | ipaddr.IPv6, number]; readonly expiresMs: number };

  function naive(indicators: readonly Scannable[], ip: string, at: Date): string[] {
    let address = ipaddr.parse(ip);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
    const mapped = address.kind() === 'ipv4' ? (address as ipaddr.IPv4).toIPv4MappedAddress() : undefined;
    return indicators
      .filter(({ expiresMs }) => at.getTime() < expiresMs)
      .filter(({ range }) => (range[0].kind() === address.kind() ? address.match(range) : mapped !== undefined && mapped.match(range)))
      .map(({ indicator: i }) => `${i.indicator}|${i.source}|${i.category}`)
      .sort();
  }

  it('agrees with a linear scan on random indicators and addresses', () => {
    const random = prng(0x7e4e7);
    const hot4 = [203, 0, 113, 0];
    const hot6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0];
    const indicators: ThreatIndicator[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const v4 = random() < 0.6;
      const length = v4 ? Math.floor(random() * 33) : Math.floor(random() * 129);
      const bytes = maskTo(randomBytes(random, v4 ? 4 : 16, v4 ? hot4 : random() < 0.2 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] : hot6), length);
      const parsed = parsePrefix(`${ipaddr.fromByteArray(bytes).toString()}/${length}`);
      if (!parsed.ok) throw new Error(parsed.message);
      const expiresAt = random() < 0.3 ? new Date(now.getTime() + (random() - 0.5) * 86_400_000).toISOString() : undefined;
      indicators.push(ind(parsed.prefix.text, `c${i % 7}`, `s${i % 3}`, expiresAt));
    }
    const index = new ThreatIndex(indicators);
    const scannable: Scannable[] = indicators.map((indicator) => ({
      indicator,
      range: ipaddr.parseCIDR(indicator.indicator),
      expiresMs: indicator.expiresAt === undefined ? Infinity : Date.parse(indicator.expiresAt),
    }));

    let matched = 0;
    for (let i = 0; i < 3000; i += 1) {
      const v4 = random() < 0.6;
      const bytes = randomBytes(random, v4 ? 4 : 16, v4 ? hot4 : hot6);
      let ip = ipaddr.fromByteArray(bytes).toString();
      if (v4 && random() < 0.2) ip = `::ffff:${ip}`;
      const at = new Date(now.getTime() + (random() - 0.5) * 86_400_000);
      const expected = naive(scannable, ip, at);
      const actual = index.lookup(ip, at).map((m) => `${m.indicator}|${m.source}|${m.category}`).sort();
      expect(actual, `lookup(${ip}) at ${at.toISOString()}`).toEqual(expected);
      if (expected.length > 0) matched += 1;
    }
    // Guard against a vacuous pass (every lookup empty).
    expect(matched).toBeGreaterThan(300);
  });
});
