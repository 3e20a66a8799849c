import { describe, expect, it } from 'vitest';
import { isMethod, isOriginForm, normalizeHost, parseScheme } from './request-syntax.js';

describe('request syntax', () => {
  it.each([
    ['App.Example.COM', 'https', 'app.example.com'],
    ['app.example.com:443', 'https', 'app.example.com'],
    ['app.example.com:80', 'http', 'app.example.com'],
    ['app.example.com:80', 'https', 'app.example.com:80'],
    ['app.example.com:8443', 'https', 'app.example.com:8443'],
    ['127.0.0.1:8080', 'http', '127.0.0.1:8080'],
    ['[::1]:8443', 'https', '[::1]:8443'],
    ['[::1]', 'http', '[::1]'],
    ['app.example.com:0', 'http', undefined],
    ['app.example.com:65536', 'http', undefined],
    ['app.example.com/evil', 'http', undefined],
    ['user@app.example.com', 'http', undefined],
    ['app example.com', 'http', undefined],
    ['', 'http', undefined],
    ['-app.example.com', 'http', undefined],
  ] as const)('normalizeHost(%s, %s) → %s', (host, scheme, expected) => {
    expect(normalizeHost(host, scheme)).toBe(expected);
  });

  it.each([
    ['/', true],
    ['/a/b?c=d&e=%20', true],
    ['/a b', false],
    ['/a\r\nX-Injected: 1', false],
    ['a/b', false],
    ['*', false],
    ['http://evil.example/', false],
    ['', false],
  ])('isOriginForm(%j) → %s', (target, expected) => {
    expect(isOriginForm(target)).toBe(expected);
  });

  it.each([
    ['GET', true],
    ['PROPFIND', true],
    ['GE T', false],
    ['GET\n', false],
    ['', false],
  ])('isMethod(%j) → %s', (method, expected) => {
    expect(isMethod(method)).toBe(expected);
  });

  it.each([
    ['https', 'https'],
    ['HTTP', 'http'],
    ['ws', undefined],
    ['https, http', undefined],
  ])('parseScheme(%s) → %s', (value, expected) => {
    expect(parseScheme(value)).toBe(expected);
  });
});
