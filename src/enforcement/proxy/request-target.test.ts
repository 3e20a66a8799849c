// The request-target rules: which paths are refused, which are Tenet's, how Host is normalised.
import { describe, expect, it } from 'vitest';
import { hasDotSegment, isReservedPath, normalizeHost, originPath } from './request-target.js';

describe('request targets', () => {
  it('finds dot segments however they are spelled', () => {
    for (const path of ['/..', '/a/../b', '/a/./b', '/..%2fadmin', '/%2e%2e/x', '/%2E./x', '/a/..;/b', '/a\\..\\b', '/a%5c..%5cb', '/.?q']) expect(hasDotSegment(path), path).toBe(true);
    for (const path of ['/', '/a/b', '/.well-known/x', '/a..b/c', '/file%2ejs', '/a?x=/../y', '/...']) expect(hasDotSegment(path), path).toBe(false);
  });

  it('recognises reserved paths case-insensitively and through encoded dots', () => {
    for (const path of ['/.tenet', '/.tenet/login', '/.TENET/callback?code=x', '/%2etenet/jwks.json', '/.tenet?x']) expect(isReservedPath(path), path).toBe(true);
    for (const path of ['/', '/.tenetx', '/app/.tenet/login', '/tenet/login']) expect(isReservedPath(path), path).toBe(false);
  });

  it('takes the path from origin-form and absolute-form targets only', () => {
    expect(originPath('/a?b')).toBe('/a?b');
    expect(originPath('HTTP://evil.example:9/a/../b?c')).toBe('/b?c');
    expect(originPath('*')).toBeUndefined();
    expect(originPath('evil.example:443')).toBeUndefined();
    expect(originPath(undefined)).toBeUndefined();
  });

  it('normalises hosts and drops the scheme\'s default port', () => {
    expect(normalizeHost('App.Example:443', 'https')).toBe('app.example');
    expect(normalizeHost('app.example:443', 'http')).toBe('app.example:443');
    expect(normalizeHost('[::1]:80', 'http')).toBe('[::1]');
    expect(normalizeHost('a:080', 'http')).toBe('a');
    for (const bad of ['', 'a b', 'a:0', 'a:70000', 'user@a', 'a/b']) expect(normalizeHost(bad, 'http'), bad).toBeUndefined();
  });
});
