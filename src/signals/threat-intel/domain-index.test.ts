// Tests for domain indicators in the ThreatIndex: exact names, `*.` wildcards (subdomains only),
// case, trailing dots, IDN in punycode, expiry at lookup time, IP literals, malformed hosts; and
// domains in text and CSV lists.
import { describe, expect, it } from 'vitest';
import type { ThreatMatch } from '../../engine/signals.js';
import type { ThreatIndicator } from '../../store/ports.js';
import { parseDomainIndicator } from './domain-name.js';
import { parseThreatIndicators } from './parse-indicators.js';
import { ThreatIndex } from './threat-index.js';

const addedAt = '2025-01-01T00:00:00.000Z';
const now = new Date('2025-03-01T00:00:00Z');
function ind(indicator: string, category = 'phishing', expiresAt?: string): ThreatIndicator {
  return expiresAt === undefined ? { indicator, category, source: 'feed', addedAt } : { indicator, category, source: 'feed', addedAt, expiresAt };
}
const listed = (matches: readonly ThreatMatch[]): string[] => matches.map((m) => `${m.indicator} ${m.category}`);

describe('ThreatIndex domains', () => {
  const index = new ThreatIndex([
    ind('evil.example'),
    ind('*.evil.example', 'malware'),
    ind('*.example', 'tld-wide'),
    ind('xn--bcher-kva.example', 'idn'),
    ind('gone.example', 'old', '2025-02-01T00:00:00Z'),
    ind('later.example', 'c2', '2025-04-01T00:00:00Z'),
    ind('203.0.113.0/24', 'scanner'),
  ]);

  it('matches a plain name exactly, and *.name only below it', () => {
    expect(listed(index.lookupDomain('evil.example', now))).toEqual(['*.example tld-wide', 'evil.example phishing']);
    expect(listed(index.lookupDomain('a.b.evil.example', now))).toEqual(['*.example tld-wide', '*.evil.example malware']);
    // `*.example` covers subdomains of example, not the name `example` itself.
    expect(index.lookupDomain('example', now)).toEqual([]);
    expect(index.lookupDomain('notevil.test', now)).toEqual([]);
    // A label boundary, not a string suffix: "xevil.example" is not under evil.example.
    expect(listed(index.lookupDomain('xevil.example', now))).toEqual(['*.example tld-wide']);
  });

  it('ignores case and a trailing root dot', () => {
    expect(listed(index.lookupDomain('EVIL.Example.', now))).toEqual(listed(index.lookupDomain('evil.example', now)));
    expect(listed(index.lookupDomain('WWW.EVIL.EXAMPLE', now))).toContain('*.evil.example malware');
  });

  it('matches internationalised names in either form', () => {
    expect(listed(index.lookupDomain('bücher.example', now))).toContain('xn--bcher-kva.example idn');
    expect(listed(index.lookupDomain('XN--BCHER-KVA.example', now))).toContain('xn--bcher-kva.example idn');
    const unicodeListed = new ThreatIndex(parseThreatIndicators('Bücher.example\n', { format: 'text', source: 'f', category: 'idn', now }));
    expect(listed(unicodeListed.lookupDomain('xn--bcher-kva.example', now))).toEqual(['xn--bcher-kva.example idn']);
  });

  it('honours expiry at lookup time', () => {
    expect(listed(index.lookupDomain('gone.example', new Date('2025-01-31T23:59:59Z')))).toContain('gone.example old');
    expect(listed(index.lookupDomain('gone.example', now))).toEqual(['*.example tld-wide']);
    expect(index.lookupDomain('later.example', now).find((m) => m.indicator === 'later.example')).toEqual({
      indicator: 'later.example',
      category: 'c2',
      source: 'feed',
      expiresAt: '2025-04-01T00:00:00Z',
    });
  });

  it('matches nothing for an absent domain or an IP literal, and refuses a malformed one', () => {
    expect(index.lookupDomain(undefined, now)).toEqual([]);
    expect(index.lookupDomain('203.0.113.9', now)).toEqual([]);
    expect(index.lookupDomain('[2001:db8::1]', now)).toEqual([]);
    for (const bad of ['', 'a..b', 'ex%41mple.com', 'evil.example:443', 'under score .example', '1.2.3.400']) {
      expect(() => index.lookupDomain(bad, now), bad).toThrow(expect.objectContaining({ code: 'TENET_ERR_REQUEST_INVALID_DOMAIN' }));
    }
  });

  it('combines IP and domain matches for a request environment', () => {
    expect(listed(index.matches({ ip: '203.0.113.7', domain: 'x.evil.example' }, now))).toEqual(['203.0.113.0/24 scanner', '*.example tld-wide', '*.evil.example malware']);
    expect(index.matches({}, now)).toEqual([]);
  });
});

describe('parseDomainIndicator', () => {
  it.each([
    ['evil.example', 'evil.example'],
    ['*.Evil.Example.', '*.evil.example'],
    ['_dmarc.example', '_dmarc.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
  ])('normalises %j to %j', (raw, text) => {
    expect(parseDomainIndicator(raw)).toMatchObject({ ok: true, domain: { text } });
  });

  it.each([['*.'], ['a.*.example'], ['-bad.example'], ['bad-.example'], ['a'.repeat(64) + '.example'], ['xn--zz.example'], ['ex%41mple.com'], ['1.2.3.4'], ['evil.example/path']])(
    'rejects %j',
    (raw) => {
      expect(parseDomainIndicator(raw).ok).toBe(false);
    },
  );
});

describe('domains in text and CSV lists', () => {
  const options = { source: 'f', category: 'phishing', now } as const;
  it('reads domains and wildcards beside IPs', () => {
    expect(parseThreatIndicators('evil.example\n*.EVIL.example. # all subdomains\n192.0.2.1\n', { ...options, format: 'text' }).map((i) => i.indicator)).toEqual([
      'evil.example',
      '*.evil.example',
      '192.0.2.1/32',
    ]);
    expect(parseThreatIndicators('indicator,category\nc2.example,c2\n', { ...options, format: 'csv' })).toEqual([{ indicator: 'c2.example', category: 'c2', source: 'f', addedAt: now.toISOString() }]);
  });

  it('reports a mistyped address as an address, and merges the same name written twice', () => {
    expect(() => parseThreatIndicators('192.0.2.300\n', { ...options, format: 'text' })).toThrow(/not an IPv4 or IPv6 address/);
    expect(parseThreatIndicators('Evil.example\nevil.example.\n', { ...options, format: 'text' })).toHaveLength(1);
  });
});
