// Tests for IP/CIDR normalisation: families, mapped IPv4, host bits, strictness.
import { describe, expect, it } from 'vitest';
import { parseAddress, parsePrefix } from './ip-prefix.js';

const text = (raw: string): string => {
  const result = parsePrefix(raw);
  if (!result.ok) throw new Error(result.message);
  return result.prefix.text;
};

describe('parsePrefix', () => {
  it('normalises single addresses to /32 and /128', () => {
    expect(text('198.51.100.7')).toBe('198.51.100.7/32');
    expect(text(' 2001:DB8:0:0::1 ')).toBe('2001:db8::1/128');
  });

  it('keeps valid CIDRs in canonical form', () => {
    expect(text('203.0.113.0/24')).toBe('203.0.113.0/24');
    expect(text('2001:0db8::/32')).toBe('2001:db8::/32');
    expect(text('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(text('::/0')).toBe('::/0');
  });

  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(text('::ffff:192.0.2.1')).toBe('192.0.2.1/32');
    expect(text('::ffff:c000:0200/120')).toBe('192.0.2.0/24');
    expect(text('::ffff:0:0/96')).toBe('0.0.0.0/0');
    // Shorter than /96 it covers more than IPv4: it stays IPv6.
    expect(text('::/80')).toBe('::/80');
  });

  it('rejects host bits set, suggesting the network', () => {
    const result = parsePrefix('10.1.2.3/8');
    expect(result).toEqual({ ok: false, message: '"10.1.2.3/8" has host bits set after /8', hint: 'did you mean 10.0.0.0/8? (a CIDR names its network address)' });
    expect(parsePrefix('2001:db8::1/64')).toMatchObject({ ok: false, hint: expect.stringContaining('2001:db8::/64') });
    expect(parsePrefix('::ffff:192.0.2.1/120')).toMatchObject({ ok: false, hint: expect.stringContaining('192.0.2.0/24') });
  });

  it.each([
    ['256.1.1.1'],
    ['1.2.3'],
    ['127.1'],
    ['010.0.0.1'],
    ['0x7f.0.0.1'],
    ['1.2.3.4/33'],
    ['1.2.3.4/-1'],
    ['1.2.3.4/08'],
    ['1.2.3.4/'],
    ['1.2.3.4/24/8'],
    ['2001:db8::/129'],
    ['1::2::3'],
    ['2001:db8:::1'],
    ['12345::1'],
    ['fe80::1%eth0'],
    ['gggg::1'],
    [''],
    ['example.com'],
  ])('rejects %j', (raw) => {
    expect(parsePrefix(raw).ok).toBe(false);
  });
});

describe('parseAddress', () => {
  it('parses both families, maps IPv4-in-IPv6, and ignores zone ids', () => {
    expect(parseAddress('192.0.2.1')).toEqual({ family: 'ipv4', bytes: Uint8Array.from([192, 0, 2, 1]) });
    expect(parseAddress('::ffff:192.0.2.1')).toEqual({ family: 'ipv4', bytes: Uint8Array.from([192, 0, 2, 1]) });
    expect(parseAddress('fe80::1%eth0')?.family).toBe('ipv6');
    expect(parseAddress('1.2.3.4%eth0')).toBeUndefined();
    expect(parseAddress('1.2.3.4/32')).toBeUndefined();
    expect(parseAddress('')).toBeUndefined();
  });
});
