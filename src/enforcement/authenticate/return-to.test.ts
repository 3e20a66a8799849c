import { describe, expect, it } from 'vitest';
import { checkReturnTo } from './return-to.js';

// With every host allowed, only the parsing rules of return-to.ts stand between a crafted rd and a
// redirect: these inputs must be refused by them alone.
const anyHost = (): boolean => true;

describe('checkReturnTo', () => {
  it.each([
    ['https:evil.example', 'scheme without //'],
    ['https:/evil.example', 'scheme with one /'],
    ['https:\\\\evil.example', 'backslashes'],
    ['https:/\\evil.example', 'slash and backslash'],
    ['//evil.example', 'protocol-relative'],
    ['/\\evil.example', 'backslash path'],
    ['javascript://%0aalert(1)', 'javascript with slashes'],
    ['ftp://evil.example/', 'another scheme'],
    ['https://user@evil.example/', 'userinfo'],
    ['https://:@evil.example/', 'empty userinfo'],
    ['https:// evil.example/', 'space after scheme'],
    ['\thttps://evil.example/', 'leading tab'],
    ['https://evil.example/\r\nSet-Cookie: x=1', 'CRLF'],
    ['https://evil.example/\u0000', 'NUL'],
    ['https:///evil.example', 'three slashes'],
    [`https://example.test/${'a'.repeat(5000)}`, 'too long'],
  ])('refuses %s (%s) even when every host is allowed', (raw) => {
    expect(checkReturnTo(raw, anyHost).ok).toBe(false);
  });

  it('accepts plain absolute URLs and normalises them', () => {
    const result = checkReturnTo('HTTPS://App.Example.Test:443/a/../b?x=1#frag', anyHost);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.url.href).toBe('https://app.example.test/b?x=1#frag');
    expect(checkReturnTo('http://[::1]:8080/', anyHost).ok).toBe(true);
  });

  it('asks the allow predicate with the parsed URL and obeys it', () => {
    const seen: string[] = [];
    const result = checkReturnTo('https://app.example.test/x', (url) => {
      seen.push(url.host);
      return false;
    });
    expect(seen).toEqual(['app.example.test']);
    expect(result).toEqual({ ok: false, problem: expect.stringContaining('app.example.test') });
  });

  it('names a missing rd', () => {
    expect(checkReturnTo(undefined, anyHost)).toEqual({ ok: false, problem: expect.stringContaining('missing') });
  });
});
