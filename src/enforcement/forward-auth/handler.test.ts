// forwardAuthHandler over real HTTP on loopback, called with the headers nginx, Caddy and Traefik
// send (Traefik's exactly as its ForwardAuth middleware builds them), against a scripted HttpAccess.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpRequestFacts } from '../access/http-access.js';
import { forwardAuthHandler, UNTRUSTED_CALLER_MESSAGE } from './handler.js';
import { send } from './testing/http-client.js';
import { renderVerdict } from '../access/render-verdict.js';
import { LOGIN_BASE, scriptedAccess } from './testing/scripted-access.js';

const logger = pino({ level: 'silent' });
const scripted = scriptedAccess();
let trusted: Server;
let untrusted: Server;
let port: number;
let untrustedPort: number;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  trusted = createServer(forwardAuthHandler({ access: scripted.access, trustedProxies: ['127.0.0.1/32', '::1/128'], renderVerdict, logger }));
  untrusted = createServer(forwardAuthHandler({ access: scripted.access, trustedProxies: ['10.0.0.0/8'], renderVerdict, logger }));
  port = await listen(trusted);
  untrustedPort = await listen(untrusted);
});

afterAll(async () => {
  await Promise.all([trusted, untrusted].map((server) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  scripted.calls.length = 0;
});

/** What nginx's auth subrequest carries with the documented configuration (docs/integrations/nginx.md). */
function nginxHeaders(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    Host: 'app.example.com',
    'X-Forwarded-Host': 'app.example.com',
    'X-Original-URI': '/reports/q3?format=pdf',
    'X-Original-Method': 'GET',
    'X-Forwarded-Proto': 'https',
    'X-Real-IP': '203.0.113.9',
    Accept: 'text/html,application/xhtml+xml',
    'User-Agent': 'Mozilla/5.0 test',
    ...overrides,
  };
}

/**
 * What Traefik's ForwardAuth sends with trustForwardHeader: false: a GET to the configured address
 * (so Host is Tenet's), the client's headers copied, then X-Forwarded-For/-Method/-Proto/-Host/-Uri
 * set from the original request; X-Forwarded-Port/-Server and X-Real-Ip come from its entry point.
 */
function traefikHeaders(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    Host: `127.0.0.1:${port}`,
    'User-Agent': 'curl/8.5.0',
    Accept: 'application/json',
    'Accept-Encoding': 'gzip',
    'X-Forwarded-For': '198.51.100.7',
    'X-Forwarded-Method': 'DELETE',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': 'app.example.com',
    'X-Forwarded-Uri': '/items/7?force=true',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Server': 'traefik-1',
    'X-Real-Ip': '198.51.100.7',
    ...overrides,
  };
}

function onlyCall(): HttpRequestFacts {
  expect(scripted.calls).toHaveLength(1);
  expect(scripted.calls[0]?.pep).toBe('forward-auth');
  return scripted.calls[0]?.facts as HttpRequestFacts;
}

describe('who may call', () => {
  it('refuses a caller outside trustedProxies with 403 JSON, before reading any header', async () => {
    const res = await send(untrustedPort, { path: '/.tenet/forward-auth', headers: nginxHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ error: UNTRUSTED_CALLER_MESSAGE });
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
    expect(scripted.calls).toHaveLength(0);
  });
});

describe('nginx auth_request', () => {
  it('rebuilds the original request from X-Original-* and answers allow with the identity headers', async () => {
    const res = await send(port, {
      path: '/.tenet/forward-auth?mode=nginx',
      headers: nginxHeaders({ 'X-Original-Method': 'POST', Host: 'App.Example.com:443', 'X-Forwarded-Host': 'App.Example.com:443', Cookie: 'session=good; theme=dark', Authorization: 'Bearer abc' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(res.headers['x-email']).toBe('alice@example.com');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(onlyCall()).toEqual({
      method: 'POST',
      scheme: 'https',
      host: 'app.example.com',
      path: '/reports/q3?format=pdf',
      clientIp: '203.0.113.9',
      cookie: 'session=good; theme=dark',
      authorization: 'Bearer abc',
      accept: 'text/html,application/xhtml+xml',
      userAgent: 'Mozilla/5.0 test',
    });
  });

  it('is detected from X-Original-URI when no mode is given', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth', headers: nginxHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(200);
    expect(onlyCall().path).toBe('/reports/q3?format=pdf');
  });

  it('keeps a non-default port in the host and falls back to X-Forwarded-For without X-Real-IP', async () => {
    const headers = nginxHeaders({ Host: 'app.example.com:8443', 'X-Forwarded-Host': 'app.example.com:8443', 'X-Forwarded-For': '192.0.2.1, 127.0.0.1', Cookie: 'session=good' });
    delete headers['X-Real-IP'];
    await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers });
    expect(onlyCall()).toMatchObject({ host: 'app.example.com:8443', clientIp: '192.0.2.1' });
  });

  it('answers a browser without a session 401 with the login URL in X-Tenet-Login', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers: nginxHeaders() });
    expect(res.status).toBe(401);
    expect(res.headers['x-tenet-login']).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent('https://app.example.com/reports/q3?format=pdf')}`);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
  });

  it('answers an API client without a session 401 without a login URL (nginx keeps the 401)', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers: nginxHeaders({ Accept: 'application/json' }) });
    expect(res.status).toBe(401);
    expect(res.headers['x-tenet-login']).toBeUndefined();
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tenet"');
  });

  it('answers step-up 401 with the step-up URL and the decision id', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers: nginxHeaders({ Cookie: 'session=stepup' }) });
    expect(res.status).toBe(401);
    expect(res.headers['x-tenet-login']).toMatch(new RegExp(`^${LOGIN_BASE.replaceAll('.', '\\.')}\\?step-up=1&rd=`));
    expect(res.headers['x-tenet-decision']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a method the route does not map 403 (auth_request knows no 405)', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers: nginxHeaders({ 'X-Original-Method': 'TRACE', Cookie: 'session=good' }) });
    expect(res.status).toBe(403);
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
  });

  it('answers deny 403 with the rendered body and the decision id', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers: nginxHeaders({ Cookie: 'session=bad', Accept: 'application/json' }) });
    expect(res.status).toBe(403);
    const body = JSON.parse(res.body) as { error: string; decision_id: string };
    expect(body.error).toBe('access_denied');
    expect(res.headers['x-tenet-decision']).toBe(body.decision_id);
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
  });
});

describe('Caddy forward_auth and Traefik ForwardAuth', () => {
  it('rebuilds the original request from Traefik\'s headers exactly as Traefik sends them', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(200);
    expect(res.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(res.headers['x-email']).toBe('alice@example.com');
    expect(onlyCall()).toEqual({
      method: 'DELETE',
      scheme: 'https',
      host: 'app.example.com',
      path: '/items/7?force=true',
      clientIp: '198.51.100.7',
      cookie: 'session=good',
      accept: 'application/json',
      userAgent: 'curl/8.5.0',
    });
  });

  it('is detected from X-Forwarded-Uri when no mode is given', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth', headers: traefikHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(200);
    expect(onlyCall().method).toBe('DELETE');
  });

  it('takes the right-most untrusted X-Forwarded-For hop, never the client-written left part', async () => {
    await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ 'X-Forwarded-For': '6.6.6.6, 198.51.100.7, 127.0.0.1', Cookie: 'session=good' }) });
    expect(onlyCall().clientIp).toBe('198.51.100.7');
  });

  it('ignores X-Real-IP, which Caddy passes through from the client', async () => {
    await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ 'X-Real-Ip': '10.9.9.9', Cookie: 'session=good' }) });
    expect(onlyCall().clientIp).toBe('198.51.100.7');
  });

  it('redirects a browser without a session to the login URL', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ Accept: 'text/html', 'X-Forwarded-Method': 'GET' }) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent('https://app.example.com/items/7?force=true')}`);
  });

  it('answers an API client without a session 401 JSON', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders() });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'unauthenticated' });
  });

  it('redirects a browser that needs step-up to the step-up URL', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ Accept: 'text/html', Cookie: 'session=stepup' }) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain('step-up=1');
    expect(res.headers['x-tenet-decision']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers deny 403 with the rendered page for browsers', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ Accept: 'text/html', Cookie: 'session=bad' }) });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('Access denied');
  });

  it('answers a method the route does not map with the rendered 405 and its Allow header', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ 'X-Forwarded-Method': 'TRACE', Cookie: 'session=good' }) });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('GET');
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await send(port, { method: 'HEAD', path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(200);
    expect(res.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(res.body).toBe('');
  });
});

describe('never lets an unknown request through', () => {
  it.each(['nginx', 'redirect'] as const)('answers no-route 403 (not 404) in %s mode', async (mode) => {
    const headers = mode === 'nginx'
      ? nginxHeaders({ Host: 'unknown.example.com', 'X-Forwarded-Host': 'unknown.example.com', Cookie: 'session=good' })
      : traefikHeaders({ 'X-Forwarded-Host': 'unknown.example.com', Cookie: 'session=good' });
    const res = await send(port, { path: `/.tenet/forward-auth?mode=${mode}`, headers });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: 'no Tenet route protects this host and path', host: 'unknown.example.com' });
  });

  it('answers 500 when the pipeline fails, so every proxy refuses the request', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: traefikHeaders({ 'X-Forwarded-Host': 'boom.example.com', Cookie: 'session=good' }) });
    expect(res.status).toBe(500);
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
    expect(JSON.parse(res.body)).toEqual({ error: 'forward-auth could not decide; the request is refused' });
  });
});

describe('mode', () => {
  const both = (): Record<string, string | string[]> => ({
    ...traefikHeaders({ Cookie: 'session=good', 'X-Forwarded-Uri': '/from-caddy', 'X-Forwarded-Method': 'PUT' }),
    'X-Original-URI': '/from-nginx',
    'X-Original-Method': 'GET',
    Host: 'app.example.com',
    'X-Real-IP': '203.0.113.9',
  });

  it('?mode=nginx reads only the nginx headers', async () => {
    await send(port, { path: '/.tenet/forward-auth?mode=nginx', headers: both() });
    expect(onlyCall()).toMatchObject({ path: '/from-nginx', method: 'GET', clientIp: '203.0.113.9' });
  });

  it('?mode=redirect reads only the Caddy / Traefik headers', async () => {
    await send(port, { path: '/.tenet/forward-auth?mode=redirect', headers: both() });
    expect(onlyCall()).toMatchObject({ path: '/from-caddy', method: 'PUT', clientIp: '198.51.100.7' });
  });

  it('refuses both header sets without a mode: one of them came from the client', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth', headers: both() });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ header: 'X-Original-URI' });
    expect(scripted.calls).toHaveLength(0);
  });

  it.each([
    ['/.tenet/forward-auth?mode=envoy', 'mode'],
    ['/.tenet/forward-auth?mode=nginx&mode=redirect', 'mode'],
  ])('refuses %s', async (path, header) => {
    const res = await send(port, { path, headers: both() });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ header });
  });

  it('refuses a request with neither header set', async () => {
    const res = await send(port, { path: '/.tenet/forward-auth', headers: { Host: 'app.example.com', 'X-Forwarded-Proto': 'https' } });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ header: 'X-Original-URI' });
  });
});

describe('malformed proxy headers get 400 naming the header, and no decision', () => {
  const without = (headers: Record<string, string | string[]>, name: string): Record<string, string | string[]> => {
    const copy = { ...headers };
    delete copy[name];
    return copy;
  };
  const cases: readonly [string, 'nginx' | 'redirect', Record<string, string | string[]>, string][] = [
    ['missing X-Original-Method', 'nginx', without(nginxHeaders(), 'X-Original-Method'), 'X-Original-Method'],
    ['a method that is not a token', 'nginx', nginxHeaders({ 'X-Original-Method': 'GE(T' }), 'X-Original-Method'],
    ['a URI without the leading slash', 'nginx', nginxHeaders({ 'X-Original-URI': 'http://evil.example/' }), 'X-Original-URI'],
    ['a URI with a space', 'nginx', nginxHeaders({ 'X-Original-URI': '/a b' }), 'X-Original-URI'],
    ['a scheme other than http/https', 'nginx', nginxHeaders({ 'X-Forwarded-Proto': 'ftp' }), 'X-Forwarded-Proto'],
    ['missing X-Forwarded-Proto', 'nginx', without(nginxHeaders(), 'X-Forwarded-Proto'), 'X-Forwarded-Proto'],
    ['a host that is not a host', 'nginx', nginxHeaders({ Host: 'app.example.com/evil', 'X-Forwarded-Host': 'app.example.com/evil' }), 'Host'],
    ['X-Forwarded-Host that differs from Host', 'nginx', nginxHeaders({ 'X-Forwarded-Host': 'admin.example.com' }), 'X-Forwarded-Host'],
    ['a repeated X-Forwarded-Host', 'nginx', nginxHeaders({ 'X-Forwarded-Host': ['app.example.com', 'admin.example.com'] }), 'X-Forwarded-Host'],
    ['X-Real-IP that is not an IP', 'nginx', nginxHeaders({ 'X-Real-IP': 'localhost' }), 'X-Real-IP'],
    ['no client address at all', 'nginx', without(nginxHeaders(), 'X-Real-IP'), 'X-Real-IP'],
    ['missing X-Forwarded-Host', 'redirect', without(traefikHeaders(), 'X-Forwarded-Host'), 'X-Forwarded-Host'],
    ['a port out of range', 'redirect', traefikHeaders({ 'X-Forwarded-Host': 'app.example.com:70000' }), 'X-Forwarded-Host'],
    ['missing X-Forwarded-Uri', 'redirect', without(traefikHeaders(), 'X-Forwarded-Uri'), 'X-Forwarded-Uri'],
    ['a repeated X-Forwarded-Uri', 'redirect', traefikHeaders({ 'X-Forwarded-Uri': ['/a', '/b'] }), 'X-Forwarded-Uri'],
    ['missing X-Forwarded-For', 'redirect', without(traefikHeaders(), 'X-Forwarded-For'), 'X-Forwarded-For'],
    ['an X-Forwarded-For entry that is not an IP', 'redirect', traefikHeaders({ 'X-Forwarded-For': 'unknown, 198.51.100.7' }), 'X-Forwarded-For'],
  ];

  it.each(cases)('%s', async (_name, mode, headers, header) => {
    const res = await send(port, { path: `/.tenet/forward-auth?mode=${mode}`, headers });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { error: string; header: string; problem: string };
    expect(body.error).toBe('invalid forward-auth request');
    expect(body.header).toBe(header);
    expect(body.problem.startsWith(header)).toBe(true);
    expect(scripted.calls).toHaveLength(0);
  });
});
