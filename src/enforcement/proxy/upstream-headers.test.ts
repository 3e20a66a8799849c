// Header hygiene as pure functions (the end-to-end behaviour is in start-proxy.test.ts).
import { describe, expect, it } from 'vitest';
import type { HttpRequestFacts } from '../access/http-access.js';
import { withoutTenetCookies } from './tenet-cookies.js';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './upstream-headers.js';

const facts: HttpRequestFacts = { method: 'POST', scheme: 'https', host: 'app.example', path: '/', clientIp: '203.0.113.5' };

function build(rawHeaders: string[], trusted = false) {
  return upstreamRequestHeaders({
    rawHeaders,
    facts,
    peer: { address: '10.0.0.1', trusted },
    identity: { 'X-Tenet-Assertion': 'jwt' },
    configuredIdentityHeaders: new Set(['x-tenet-assertion', 'x-user']),
    sessionCookieName: '__Host-custom_session',
    host: 'upstream.internal:8080',
  });
}

describe('upstreamRequestHeaders', () => {
  it('removes hop-by-hop, forgeable identity and proxy-set headers, then sets its own', () => {
    const headers = build(['Connection', 'close, X-Hop', 'X-Hop', '1', 'X-User', 'mallory', 'x-tenet-assertion', 'forged', 'Host', 'evil', 'X-Real-IP', '6.6.6.6', 'Accept', 'a', 'Accept', 'b']);
    expect(headers).toEqual({
      accept: ['a', 'b'],
      'x-tenet-assertion': 'jwt',
      host: 'upstream.internal:8080',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'app.example',
      'x-real-ip': '203.0.113.5',
    });
  });

  it('appends to a trusted peer\'s X-Forwarded-For (every header line) and keeps its Forwarded', () => {
    const headers = build(['X-Forwarded-For', '203.0.113.5', 'X-Forwarded-For', '10.0.0.9', 'Forwarded', 'for=203.0.113.5', 'X-Forwarded-Prefix', '/app'], true);
    expect(headers).toMatchObject({ 'x-forwarded-for': '203.0.113.5, 10.0.0.9, 10.0.0.1', forwarded: 'for=203.0.113.5', 'x-forwarded-prefix': '/app' });
  });

  it('frames the body as the client did, whatever Connection names', () => {
    expect(build(['Transfer-Encoding', 'chunked'])['transfer-encoding']).toBe('chunked');
    expect(build(['Content-Length', '5', 'Connection', 'content-length'])['content-length']).toBe('5');
    expect(build([])['content-length']).toBeUndefined();
    expect(build([])['transfer-encoding']).toBeUndefined();
  });

  it('asks the upstream for the upgrade it forwards', () => {
    const headers = upstreamRequestHeaders({ rawHeaders: ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'], facts, peer: { address: '10.0.0.1', trusted: false }, identity: {}, configuredIdentityHeaders: new Set(), sessionCookieName: 's', host: 'u', upgrade: 'websocket' });
    expect(headers).toMatchObject({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });
});

describe('downstreamResponseHeaders', () => {
  it('drops hop-by-hop headers and a Content-Length sent alongside Transfer-Encoding', () => {
    expect(downstreamResponseHeaders(['Connection', 'X-A', 'X-A', '1', 'Transfer-Encoding', 'chunked', 'Content-Length', '10', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Proxy-Authenticate', 'Basic'])).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
    expect(downstreamResponseHeaders(['Content-Length', '10'])).toEqual({ 'content-length': '10' });
  });
});

describe('withoutTenetCookies', () => {
  it('removes the configured session cookie and everything in the __Host-tenet_ namespace', () => {
    expect(withoutTenetCookies('a=1; __Host-custom_session=s; __Host-tenet_login=l; __Host-tenet_session=x; b=2', '__Host-custom_session')).toBe('a=1; b=2');
    expect(withoutTenetCookies('__Host-custom_session=s', '__Host-custom_session')).toBeUndefined();
    expect(withoutTenetCookies(' ; flag ; c=3', '__Host-custom_session')).toBe('flag; c=3');
  });
});
