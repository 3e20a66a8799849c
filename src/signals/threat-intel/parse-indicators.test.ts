// Tests for parseThreatIndicators: text and CSV lists, normalisation, duplicates, all-or-nothing.
import { describe, expect, it } from 'vitest';
import type { TenetError } from '../../errors.js';
import { parseThreatIndicators, type ParseThreatOptions } from './parse-indicators.js';

const now = new Date('2025-03-01T00:00:00Z');
const addedAt = now.toISOString();
const textOptions: ParseThreatOptions = { format: 'text', source: 'blocklist', category: 'botnet', now, fileName: 'block.txt' };
const csvOptions: ParseThreatOptions = { format: 'csv', source: 'feed', now, fileName: 'feed.csv' };

function failure(text: string, options: ParseThreatOptions): TenetError {
  try {
    parseThreatIndicators(text, options);
  } catch (error) {
    return error as TenetError;
  }
  throw new Error('expected parseThreatIndicators to throw');
}
const lines = (error: TenetError): string[] => error.issues.map((i) => `${i.path}: ${i.message}`);

describe('parseThreatIndicators (text)', () => {
  it('reads one indicator per line with comments, blanks, BOM and CRLF', () => {
    const text = '\uFEFF# Example feed\r\n198.51.100.7\r\n\r\n203.0.113.0/24 ; SBL123\r\n  2001:db8::/32  # v6\r\n::ffff:192.0.2.1\r\n';
    expect(parseThreatIndicators(text, textOptions)).toEqual([
      { indicator: '198.51.100.7/32', category: 'botnet', source: 'blocklist', addedAt },
      { indicator: '203.0.113.0/24', category: 'botnet', source: 'blocklist', addedAt },
      { indicator: '2001:db8::/32', category: 'botnet', source: 'blocklist', addedAt },
      { indicator: '192.0.2.1/32', category: 'botnet', source: 'blocklist', addedAt },
    ]);
  });

  it('merges duplicates that mean the same network', () => {
    expect(parseThreatIndicators('192.0.2.1\n192.0.2.1/32\n::ffff:192.0.2.1\n', textOptions)).toHaveLength(1);
  });

  it('reports every bad line with its number and a hint', () => {
    const error = failure('10.0.0.0/8\n10.1.2.3/8\n\nnot an ip!\n2001:db8::g\n1.2.3.4 5.6.7.8\n', textOptions);
    expect(error.code).toBe('TENET_ERR_IMPORT_INVALID');
    expect(error.message).toMatch(/^block\.txt: 4 problems; nothing was imported\./);
    expect(error.issues.map((i) => i.path)).toEqual(['block.txt:2', 'block.txt:4', 'block.txt:5', 'block.txt:6']);
    expect(error.issues[0]?.hint).toMatch(/did you mean 10\.0\.0\.0\/8/);
  });

  it('requires a category from the caller, and a source', () => {
    const { category: _omit, ...withoutCategory } = textOptions;
    expect(lines(failure('10.0.0.0/8', withoutCategory))).toEqual(['category: a plain-text list needs a category from the caller']);
    expect(lines(failure('10.0.0.0/8', { ...textOptions, source: '' }))).toEqual(['source: must be 1 to 1024 characters']);
  });

  it('accepts an empty list (a feed that currently lists nothing)', () => {
    expect(parseThreatIndicators('# nothing today\n', textOptions)).toEqual([]);
  });
});

describe('parseThreatIndicators (CSV)', () => {
  it('reads indicator, category and expires_at, ignoring other columns', () => {
    const text = 'indicator,category,expires_at,first_seen\r\n203.0.113.0/24,scanner,2025-04-01T00:00:00Z,2024\r\n2001:DB8::1,tor,,\r\n';
    expect(parseThreatIndicators(text, csvOptions)).toEqual([
      { indicator: '203.0.113.0/24', category: 'scanner', source: 'feed', addedAt, expiresAt: '2025-04-01T00:00:00Z' },
      { indicator: '2001:db8::1/128', category: 'tor', source: 'feed', addedAt },
    ]);
  });

  it('uses the caller category as a default for empty cells and a missing column', () => {
    expect(parseThreatIndicators('indicator\n192.0.2.1\n', { ...csvOptions, category: 'manual' })[0]?.category).toBe('manual');
    expect(parseThreatIndicators('indicator,category\n192.0.2.1,\n', { ...csvOptions, category: 'manual' })[0]?.category).toBe('manual');
  });

  it('reports every bad row, conflicting duplicates and missing columns', () => {
    const text = ['# feed export', 'indicator,category,expires_at', '10.0.0.0/8,botnet,', '10.0.0.1/8,botnet,', '192.0.2.1,,', '192.0.2.2,scan,tomorrow', '10.0.0.0/8,tor,', 'x'].join('\n');
    expect(lines(failure(text, csvOptions))).toEqual([
      'feed.csv:4: column indicator: "10.0.0.1/8" has host bits set after /8',
      'feed.csv:5: column category: must not be empty',
      'feed.csv:6: column expires_at: expected an ISO 8601 time with an offset (2025-12-31T00:00:00Z), got "tomorrow"',
      'feed.csv:7: 10.0.0.0/8 is listed again with a different category or expiry (first at feed.csv:3)',
      'feed.csv:8: expected 3 cells (indicator, category, expires_at), found 1',
    ]);
    expect(lines(failure('ip,category\n1.2.3.4,x\n', csvOptions))).toEqual(['feed.csv:1: missing required column "indicator"']);
  });
});
