// The ext_authz HTTP service over real HTTP on loopback, called the way Envoy's http_service calls
// it: the original method, path_prefix + the original path, the original Host, and the headers
// listed in allowed_headers (docs/integrations/envoy.md).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderVerdict } from '../access/render-verdict.js';
import { send } from '../forward-auth/testing/http-client.js';
import { LOGIN_BASE, scriptedAccess } from '../forward-auth/testing/scripted-access.js';
import { UNTRUSTED_ENVOY_MESSAGE } from './ext-authz-answer.js';
import { extAuthzHttpHandler } from './http-handler.js';

const logger = pino({ level: 'silent' });
const scripted = scriptedAccess();
const PREFIX = '/.tenet/ext-authz';
let trusted: Server;
let untrusted: Server;
let port: number;
let untrustedPort: number;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  trusted = createServer(extAuthzHttpHandler({ access: scripted.access, trustedProxies: ['127.0.0.1/32'], renderVerdict, logger, pathPrefix: PREFIX }));
  untrusted = createServer(extAuthzHttpHandler({ access: scripted.access, trustedProxies: ['10.0.0.0/8'], renderVerdict, logger, pathPrefix: `${PREFIX}/` }));
  port = await listen(trusted);
  untrustedPort = await listen(untrusted);
});

afterAll(async () => {
  await Promise.all([trusted, untrusted].map((server) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  scripted.calls.length = 0;
});

/** Envoy's check request headers: Host and Content-Length always, the rest from allowed_headers; Envoy (use_remote_address) appended the client to X-Forwarded-For. */
function envoyHeaders(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    Host: 'app.example.com',
    'Content-Length': '0',
    Accept: 'text/html',
    'User-Agent': 'Mozilla/5.0 test',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-For': '6.6.6.6, 203.0.113.9',
    ...overrides,
  };
}

describe('ext_authz HTTP service', () => {
  it('refuses a caller outside trustedProxies with 403', async () => {
    const res = await send(untrustedPort, { path: `${PREFIX}/docs`, headers: envoyHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ error: UNTRUSTED_ENVOY_MESSAGE });
    expect(scripted.calls).toHaveLength(0);
  });

  it('allows with 200 and the identity headers, from the original method, path, host and client', async () => {
    const res = await send(port, { method: 'POST', path: `${PREFIX}/docs/upload?draft=1`, headers: envoyHeaders({ Cookie: 'session=good', Authorization: 'Bearer abc' }) });
    expect(res.status).toBe(200);
    expect(res.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(res.headers['x-email']).toBe('alice@example.com');
    expect(res.headers['x-envoy-auth-headers-to-remove']).toBeUndefined();
    expect(scripted.calls).toEqual([
      {
        pep: 'ext-authz',
        facts: {
          method: 'POST',
          scheme: 'https',
          host: 'app.example.com',
          path: '/docs/upload?draft=1',
          clientIp: '203.0.113.9',
          cookie: 'session=good',
          authorization: 'Bearer abc',
          accept: 'text/html',
          userAgent: 'Mozilla/5.0 test',
        },
      },
    ]);
  });

  it('asks Envoy to remove identity headers Tenet did not set and forged ones it saw', async () => {
    const res = await send(port, { path: `${PREFIX}/`, headers: envoyHeaders({ Cookie: 'session=good-noemail', 'X-Tenet-Role': 'admin' }) });
    expect(res.status).toBe(200);
    expect(res.headers['x-tenet-assertion']).toBe('assertion-for-bob');
    expect(res.headers['x-envoy-auth-headers-to-remove']).toBe('x-email, x-tenet-role');
  });

  it('redirects a browser without a session to the login URL', async () => {
    const res = await send(port, { path: `${PREFIX}/docs?page=2`, headers: envoyHeaders() });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent('https://app.example.com/docs?page=2')}`);
  });

  it('answers an API client without a session 401', async () => {
    const res = await send(port, { path: `${PREFIX}/api`, headers: envoyHeaders({ Accept: 'application/json' }) });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tenet"');
  });

  it('answers deny 403 with the rendered page', async () => {
    const res = await send(port, { path: `${PREFIX}/docs`, headers: envoyHeaders({ Cookie: 'session=bad' }) });
    expect(res.status).toBe(403);
    expect(res.body).toContain('Access denied');
    expect(res.headers['x-tenet-decision']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers no-route 403', async () => {
    const res = await send(port, { path: `${PREFIX}/docs`, headers: envoyHeaders({ Host: 'unknown.example.com', Cookie: 'session=good' }) });
    expect(res.status).toBe(403);
  });

  it('answers a pipeline failure 403, never a 5xx that failure_mode_allow could turn into a pass', async () => {
    const res = await send(port, { path: `${PREFIX}/docs`, headers: envoyHeaders({ Host: 'boom.example.com', Cookie: 'session=good' }) });
    expect(res.status).toBe(403);
    expect(res.headers['x-tenet-assertion']).toBeUndefined();
  });

  it('answers HEAD like GET', async () => {
    const res = await send(port, { method: 'HEAD', path: `${PREFIX}/docs`, headers: envoyHeaders({ Cookie: 'session=good' }) });
    expect(res.status).toBe(200);
    expect(res.headers['x-tenet-assertion']).toBe('assertion-for-alice');
  });

  const without = (name: string): Record<string, string | string[]> => {
    const headers = envoyHeaders({ Cookie: 'session=good' });
    delete headers[name];
    return headers;
  };

  it.each([
    ['a path outside the prefix', '/other/docs', envoyHeaders({ Cookie: 'session=good' }), ':path'],
    ['the bare prefix', `${PREFIX}`, envoyHeaders({ Cookie: 'session=good' }), ':path'],
    ['missing X-Forwarded-Proto', `${PREFIX}/docs`, without('X-Forwarded-Proto'), 'X-Forwarded-Proto'],
    ['missing X-Forwarded-For', `${PREFIX}/docs`, without('X-Forwarded-For'), 'X-Forwarded-For'],
    ['a malformed Host', `${PREFIX}/docs`, envoyHeaders({ Host: 'app.example.com:99999', Cookie: 'session=good' }), 'Host'],
  ])('refuses %s with 400 naming it', async (_name, path, headers, field) => {
    const res = await send(port, { path, headers });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid ext_authz request', field });
    expect(scripted.calls).toHaveLength(0);
  });
});
