// Tests for STIX 2.1 bundles: supported patterns (with OR), categories, expiry, versions, and
// everything skipped and counted — other objects, pattern languages and operators, bad values,
// revoked, benign, expired — plus malformed JSON and non-bundles.
import { describe, expect, it } from 'vitest';
import type { TenetError } from '../../errors.js';
import { parseThreatFeed, parseThreatIndicators } from './parse-indicators.js';
import { parseStixPattern } from './stix-pattern.js';

const now = new Date('2025-03-01T00:00:00Z');
const addedAt = now.toISOString();
const options = { format: 'stix', source: 'cti', category: 'malicious', now, fileName: 'bundle.json' } as const;

let n = 0;
function indicator(pattern: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  n += 1;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    created: '2025-01-01T00:00:00.000Z',
    modified: '2025-01-01T00:00:00.000Z',
    pattern,
    pattern_type: 'stix',
    valid_from: '2025-01-01T00:00:00Z',
    ...extra,
  };
}
const bundle = (...objects: unknown[]): string => JSON.stringify({ type: 'bundle', id: 'bundle--5d0092c5-5f74-4287-9642-33f4c354e56d', objects });

describe('STIX 2.1 bundles', () => {
  it('reads IPv4, IPv6, CIDR and domain equality patterns, OR-combined, with category and expiry', () => {
    const text = bundle(
      { type: 'identity', id: 'identity--1', name: 'ACME CERT', identity_class: 'organization' },
      indicator("[ipv4-addr:value = '198.51.100.7']", { indicator_types: ['malicious-activity'] }),
      indicator("[ipv4-addr:value = '203.0.113.0/24' OR ipv6-addr:value = '2001:DB8::/32']", { labels: ['scanner'], valid_until: '2025-06-01T00:00:00Z' }),
      indicator("[domain-name:value = 'Evil.Example'] OR ([domain-name:value = 'c2.example'])", { indicator_types: ['compromised', 'attribution'] }),
      indicator("[domain-name:value = 'it\\'s.example']"),
      { type: 'relationship', id: 'relationship--1', relationship_type: 'indicates' },
    );
    const { indicators, stix } = parseThreatFeed(text, options);
    expect(indicators).toEqual([
      { indicator: '198.51.100.7/32', category: 'malicious-activity', source: 'cti', addedAt },
      { indicator: '203.0.113.0/24', category: 'scanner', source: 'cti', addedAt, expiresAt: '2025-06-01T00:00:00.000Z' },
      { indicator: '2001:db8::/32', category: 'scanner', source: 'cti', addedAt, expiresAt: '2025-06-01T00:00:00.000Z' },
      { indicator: 'evil.example', category: 'compromised', source: 'cti', addedAt },
      { indicator: 'c2.example', category: 'compromised', source: 'cti', addedAt },
    ]);
    // `it's.example` parses as a pattern but is not a domain name: skipped as an invalid value.
    expect(stix).toMatchObject({ indicatorObjects: 4, imported: 5, skipped: { 'not-an-indicator': 2, 'invalid-value': 1 } });
  });

  it('skips and counts unsupported patterns with the reason, never approximating them', () => {
    const text = bundle(
      indicator("[ipv4-addr:value = '192.0.2.1' AND ipv4-addr:value = '192.0.2.2']"),
      indicator("[ipv4-addr:value = '192.0.2.3'] FOLLOWEDBY [domain-name:value = 'x.example']"),
      indicator("[ipv4-addr:value = '192.0.2.4'] REPEATS 5 TIMES"),
      indicator("[url:value = 'http://evil.example/a']"),
      indicator("[ipv4-addr:value != '192.0.2.5']"),
      indicator("[domain-name:value LIKE '%.evil.example']"),
      indicator("[network-traffic:dst_ref.value = '192.0.2.6']"),
      indicator("[ipv4-addr:value = '192.0.2.7'"),
      indicator('alert tcp any any -> any any', { pattern_type: 'snort' }),
      indicator("[ipv4-addr:value = '192.0.2.8']"),
    );
    const { indicators, stix } = parseThreatFeed(text, options);
    expect(indicators.map((i) => i.indicator)).toEqual(['192.0.2.8/32']);
    expect(stix?.skipped).toEqual({ 'unsupported-pattern': 8, 'unsupported-pattern-type': 1 });
    expect(stix?.examples.map((e) => e.detail)).toEqual([
      'AND has no threat-list equivalent (a list entry matches on its own)',
      'FOLLOWEDBY has no threat-list equivalent (a list entry matches on its own)',
      'the REPEATS qualifier has no threat-list equivalent',
      'object path "url:value" is not supported (only ipv4-addr:value, ipv6-addr:value, domain-name:value)',
      'operator "!=" is not supported (only "=")',
      'operator "LIKE" is not supported (only "=")',
      'object path "network-traffic:dst_ref.value" is not supported (only ipv4-addr:value, ipv6-addr:value, domain-name:value)',
      'expected "]" but found the end',
      'pattern_type "snort"',
    ]);
  });

  it('skips expired, not-yet-valid, revoked and benign indicators, and invalid values', () => {
    const text = bundle(
      indicator("[ipv4-addr:value = '192.0.2.1']", { valid_until: '2025-02-28T23:59:59Z' }),
      indicator("[ipv4-addr:value = '192.0.2.2']", { valid_from: '2025-03-02T00:00:00Z' }),
      indicator("[ipv4-addr:value = '192.0.2.3']", { revoked: true }),
      indicator("[ipv4-addr:value = '192.0.2.4']", { indicator_types: ['benign'] }),
      indicator("[ipv4-addr:value = '192.0.2.300' OR ipv4-addr:value = '2001:db8::1' OR ipv6-addr:value = '192.0.2.9' OR domain-name:value = '*.wild.example' OR ipv4-addr:value = '192.0.2.10']"),
      indicator("[ipv4-addr:value = '192.0.2.11']", { valid_until: 'soon' }),
    );
    const { indicators, stix } = parseThreatFeed(text, options);
    expect(indicators.map((i) => i.indicator)).toEqual(['192.0.2.10/32']);
    expect(stix?.skipped).toEqual({ expired: 1, 'not-yet-valid': 1, revoked: 1, benign: 1, 'invalid-value': 4, malformed: 1 });
  });

  it('uses only the newest version of an indicator, and merges values listed twice', () => {
    const old = indicator("[ipv4-addr:value = '192.0.2.1']", { modified: '2025-01-01T00:00:00Z' });
    const newer = { ...old, modified: '2025-02-01T00:00:00Z', pattern: "[ipv4-addr:value = '192.0.2.2']" };
    const text = bundle(
      newer,
      old,
      indicator("[domain-name:value = 'dup.example']", { valid_until: '2025-05-01T00:00:00Z' }),
      indicator("[domain-name:value = 'dup.example']", { valid_until: '2025-07-01T00:00:00Z' }),
    );
    const { indicators, stix } = parseThreatFeed(text, options);
    expect(indicators.map((i) => `${i.indicator} ${i.expiresAt ?? '-'}`)).toEqual(['192.0.2.2/32 -', 'dup.example 2025-07-01T00:00:00.000Z']);
    expect(stix?.skipped).toEqual({ superseded: 1 });
  });

  it('refuses malformed JSON and anything that is not a bundle, importing nothing', () => {
    const fail = (text: string): TenetError => {
      try {
        parseThreatIndicators(text, options);
      } catch (error) {
        return error as TenetError;
      }
      throw new Error('expected a failure');
    };
    expect(fail('{"type": "bundle", "objects": [')).toMatchObject({ code: 'TENET_ERR_IMPORT_INVALID', issues: [{ message: expect.stringMatching(/^not valid JSON/) }] });
    expect(fail('[]').issues[0]?.message).toBe('not a STIX 2.1 bundle');
    expect(fail('{"type":"indicator"}').issues[0]?.message).toBe('not a STIX 2.1 bundle');
  });
});

describe('parseStixPattern', () => {
  it('accepts nested parentheses and escapes', () => {
    expect(parseStixPattern("([ipv4-addr:value = '192.0.2.1'] OR ([ipv6-addr:value = '2001:db8::1' OR (domain-name:value = 'a\\\\b')]))")).toEqual({
      ok: true,
      values: [
        { kind: 'ipv4-addr', value: '192.0.2.1' },
        { kind: 'ipv6-addr', value: '2001:db8::1' },
        { kind: 'domain-name', value: 'a\\b' },
      ],
    });
  });

  it.each([[''], ['[]'], ["[ipv4-addr:value = '1.2.3.4'] OR"], ["[ipv4-addr:value = 't']] "], ["[ipv4-addr:value = 'x\\q']"], ["[ipv4-addr:value = '1' START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z']"], ["[ipv4-addr:value IN ('1.2.3.4')]"]])(
    'refuses %j',
    (pattern) => {
      expect(parseStixPattern(pattern).ok).toBe(false);
    },
  );
});
