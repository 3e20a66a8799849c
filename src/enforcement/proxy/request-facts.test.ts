// requestFacts: what a request's facts are, and which headers are believed from whom.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { TenetError } from '../../errors.js';
import { requestFacts } from './request-facts.js';
import { trustedPeers } from '../access/trusted-peers.js';

const TRUSTED = ['10.0.0.0/8', '::1/128'];

/** The parts of an IncomingMessage requestFacts reads. */
function message(peer: string, headers: Record<string, string>, url = '/', options: { tls?: boolean; method?: string } = {}): IncomingMessage {
  return { socket: { remoteAddress: peer, ...(options.tls ? { encrypted: true } : {}) }, headers, url, method: options.method ?? 'GET' } as unknown as IncomingMessage;
}

describe('requestFacts', () => {
  it('reads scheme, host and client from the connection, and only the headers that are present', () => {
    expect(requestFacts(message('192.0.2.10', { host: 'App.Example:80' }, '/a?b=1'), TRUSTED)).toEqual({ method: 'GET', scheme: 'http', host: 'app.example', path: '/a?b=1', clientIp: '192.0.2.10' });
    expect(requestFacts(message('192.0.2.10', { host: 'app.example:443', 'user-agent': 'ua', cookie: 'c=1', authorization: 'Bearer t', accept: 'text/html' }, '/', { tls: true }), TRUSTED)).toEqual({
      method: 'GET',
      scheme: 'https',
      host: 'app.example',
      path: '/',
      clientIp: '192.0.2.10',
      userAgent: 'ua',
      cookie: 'c=1',
      authorization: 'Bearer t',
      accept: 'text/html',
    });
  });

  it('ignores X-Forwarded-* from an untrusted peer', () => {
    const facts = requestFacts(message('192.0.2.10', { host: 'app.example', 'x-forwarded-for': '203.0.113.1', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }), TRUSTED);
    expect(facts).toMatchObject({ scheme: 'http', host: 'app.example', clientIp: '192.0.2.10' });
  });

  it('walks X-Forwarded-For from the right past trusted hops to the first untrusted address', () => {
    const walk = (xff: string): string => requestFacts(message('10.0.0.1', { host: 'a', 'x-forwarded-for': xff }), TRUSTED).clientIp;
    expect(walk('6.6.6.6, 198.51.100.1, 10.0.0.2')).toBe('198.51.100.1');
    expect(walk('10.0.0.3, 10.0.0.2')).toBe('10.0.0.3');
    expect(walk('not-an-ip, 10.0.0.2')).toBe('10.0.0.2');
    expect(walk('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(walk('198.51.100.7:5123')).toBe('198.51.100.7');
    expect(walk('::ffff:198.51.100.8')).toBe('198.51.100.8');
    expect(requestFacts(message('10.0.0.1', { host: 'a' }), TRUSTED).clientIp).toBe('10.0.0.1');
  });

  it('believes the rightmost X-Forwarded-Proto and -Host of a trusted peer, and falls back on bad values', () => {
    const facts = (headers: Record<string, string>) => requestFacts(message('::1', { host: 'inner:8080', ...headers }), TRUSTED);
    expect(facts({ 'x-forwarded-proto': 'http, https', 'x-forwarded-host': 'evil.example, App.Example' })).toMatchObject({ scheme: 'https', host: 'app.example' });
    expect(facts({ 'x-forwarded-proto': 'ftp' })).toMatchObject({ scheme: 'http', host: 'inner:8080' });
    expect(facts({ 'x-forwarded-host': 'bad host' }).host).toBe('');
  });

  it('normalises IPv4-mapped peers, and marks unusable hosts and targets as empty', () => {
    expect(requestFacts(message('::ffff:192.0.2.1', { host: 'a' }), TRUSTED).clientIp).toBe('192.0.2.1');
    expect(requestFacts(message('192.0.2.1', {}), TRUSTED).host).toBe('');
    expect(requestFacts(message('192.0.2.1', { host: 'a:99999' }), TRUSTED).host).toBe('');
    expect(requestFacts(message('192.0.2.1', { host: 'a' }, '*', { method: 'OPTIONS' }), TRUSTED).path).toBe('');
    expect(requestFacts(message('192.0.2.1', { host: 'a' }, 'http://evil.example/x?y'), TRUSTED).path).toBe('/x?y');
  });
});

describe('trustedPeers', () => {
  it('matches addresses and CIDRs of both families', () => {
    const trusted = trustedPeers(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(['127.0.0.1', '10.255.0.1', 'fd12::1', '::ffff:10.1.1.1'].map(trusted)).toEqual([true, true, true, true]);
    expect(['127.0.0.2', '11.0.0.1', 'fe80::1', 'garbage'].map(trusted)).toEqual([false, false, false, false]);
  });

  it('refuses an entry that is not an address or CIDR, naming it', () => {
    expect(() => trustedPeers(['10.0.0.0/8', '999.1.1.1'])).toThrow(TenetError);
    expect(() => trustedPeers(['10.0.0.0/33'])).toThrow(/proxy\.trustedProxies\[0\]/);
  });
});
