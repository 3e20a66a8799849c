// Attacks on the whole quickstart stack (test/support/stack.ts) with a plain HTTPS client — what an
// attacker sends instead of what a browser would: forged identity headers, open-redirect return
// addresses, cross-site logout, a session cookie carried to another host name. bob's session is
// made by Tenet's own session service with the identity a login maps from his IdP claims, so the
// proxy signs a real assertion for him and the example app verifies it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authnFromClaims, identityFromClaims } from '../../src/enforcement/authenticate/index.js';
import { startStack, type RunningStack } from '../support/stack.js';
import { httpsCall, type HttpsCall } from './support/https-client.js';

const SESSION_COOKIE = '__Host-tenet_session';

interface Recorder {
  readonly url: string;
  readonly received: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** An upstream that records the headers of every request it receives and answers them as JSON. */
async function startRecorder(): Promise<Recorder> {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let stack: RunningStack;
let recorder: Recorder;
let jwks: JSONWebKeySet;

beforeAll(async () => {
  recorder = await startRecorder();
  stack = await startStack({
    extraRoutes: ({ proxyPort, publicHost, appUrl }) => [
      // The recorder stands in for an app that reads headers: what exactly reaches an upstream.
      { name: 'recorder', host: publicHost, pathPrefix: '/recorder', upstream: recorder.url, resource: { type: 'App', id: 'hello' }, headers: { 'X-Tenet-Email': 'email' } },
      // The same app under the proxy's other name, so a cookie carried there meets a route, not a 404.
      { name: 'hello-by-ip', host: `127.0.0.1:${proxyPort}`, upstream: appUrl, resource: { type: 'App', id: 'hello' } },
    ],
  });
  jwks = JSON.parse((await call({ path: '/.tenet/jwks.json' })).body) as JSONWebKeySet;
});

afterAll(async () => {
  await stack?.stop();
  await recorder?.close();
});

function call(request: HttpsCall) {
  return httpsCall(stack.proxyPort, request);
}

/** A session for `username` as a login at the quickstart IdP would create it (password only). */
async function sessionFor(username: 'bob' | 'alice', host = stack.publicHost): Promise<string> {
  const provider = stack.tenet.runtime.loaded.config.authentication.providers[0];
  if (provider === undefined) throw new Error('the quickstart configures a provider');
  const claims = {
    bob: { sub: 'bob', preferred_username: 'bob', email: 'bob@example.com', name: 'Bob Baker', groups: ['employees'] },
    alice: { sub: 'alice', preferred_username: 'alice', email: 'alice@example.com', name: 'Alice Anderson', groups: ['employees', 'finance', 'admins'] },
  }[username];
  const { secret } = await stack.enforcement.sessions.start({
    identity: identityFromClaims(provider, claims),
    authn: authnFromClaims(provider, { amr: ['pwd'], acr: 'pwd', auth_time: Math.floor(Date.now() / 1000) }),
    host,
  });
  return `${SESSION_COOKIE}=${secret}`;
}

/** An assertion an attacker signs with their own key, naming Tenet's key id, issuer and audience. */
async function forgedAssertion(sub: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const kid = jwks.keys[0]?.kid ?? 'unknown';
  return new SignJWT({ email: 'alice@example.com', groups: ['employees', 'finance', 'admins'], decision_id: 'forged' })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(stack.publicUrl)
    .setAudience('hello')
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti('forged-jti')
    .sign(privateKey);
}

describe('forged identity headers never reach the app', () => {
  it('the upstream receives Tenet\'s assertion and email for the session, and none of the client\'s identity headers', async () => {
    const cookie = await sessionFor('bob');
    const forged = await forgedAssertion('User::"alice"');
    const answer = await call({
      path: '/recorder/profile',
      headers: {
        cookie,
        accept: 'application/json',
        'x-tenet-assertion': forged,
        'x-tenet-email': 'alice@example.com',
        'x-tenet-decision': 'forged',
        'x-forwarded-user': 'alice',
        'x-forwarded-email': 'alice@example.com',
        'x-forwarded-groups': 'admins',
        'remote-user': 'alice',
        'x-auth-request-user': 'alice',
      },
    });
    expect(answer.status).toBe(200);
    const received = JSON.parse(answer.body) as Record<string, unknown>;
    for (const name of ['x-tenet-decision', 'x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'remote-user', 'x-auth-request-user']) expect(received).not.toHaveProperty(name);
    expect(received['x-tenet-email']).toBe('bob@example.com');
    const assertion = received['x-tenet-assertion'];
    expect(typeof assertion).toBe('string');
    expect(assertion).not.toBe(forged);
    const { payload } = await jwtVerify(String(assertion), createLocalJWKSet(jwks), { issuer: stack.publicUrl, audience: 'recorder', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: 'User::"bob"', email: 'bob@example.com', groups: ['employees'] });
  });

  it('the example app shows the identity of the real assertion, whatever the client claimed (repeated headers included)', async () => {
    const cookie = await sessionFor('bob');
    const forged = await forgedAssertion('User::"alice"');
    const answer = await call({
      path: '/api/whoami',
      headers: { cookie, accept: 'application/json', 'x-tenet-assertion': [forged, forged], 'x-forwarded-user': 'alice', 'x-tenet-email': 'alice@example.com' },
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ sub: 'User::"bob"', email: 'bob@example.com', aud: 'hello' });
  });

  it('a forged assertion without a session is stopped at Tenet; sent to the app directly, the app refuses it', async () => {
    const forged = await forgedAssertion('User::"alice"');
    const before = recorder.received.length;
    const answer = await call({ path: '/recorder/profile', headers: { accept: 'application/json', 'x-tenet-assertion': forged, 'x-forwarded-user': 'alice' } });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'unauthenticated' });
    expect(recorder.received.length).toBe(before);

    const direct = await fetch(`${stack.appUrl}/api/whoami`, { headers: { 'x-tenet-assertion': forged } });
    expect(direct.status).toBe(401);
  });
});

describe('the login endpoint is no open redirect', () => {
  const allowedReturn = () => `${stack.publicUrl}/somewhere?x=1`;

  it('a return address on the proxy starts a login at the IdP (control)', async () => {
    const answer = await call({ path: `/.tenet/login?rd=${encodeURIComponent(allowedReturn())}` });
    expect(answer.status).toBe(302);
    expect(answer.headers.location?.startsWith(`${stack.idpUrl}/auth?`)).toBe(true);
  });

  it.each([
    ['another site', 'https://evil.example/'],
    ['a scheme-relative address', '//evil.example/'],
    ['credentials before another host', 'https://localhost:PORT@evil.example/'],
    ['our host name as a label of another', 'https://localhost.evil.example/'],
    ['a subdomain of our host', 'https://evil.localhost:PORT/'],
    ['a scheme without slashes', 'https:evil.example'],
    ['backslashes', 'https:\\\\evil.example\\'],
    ['a path-relative backslash trick', '/\\evil.example'],
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a tab inside the scheme', 'ht\ttps://evil.example/'],
    ['an upper-case other site', 'HTTPS://EVIL.EXAMPLE/'],
  ])('refuses %s with 400', async (_name, template) => {
    const rd = template.replace('PORT', String(stack.proxyPort));
    const answer = await call({ path: `/.tenet/login?rd=${encodeURIComponent(rd)}`, headers: { accept: 'text/html' } });
    expect(answer.status).toBe(400);
    expect(answer.headers.location).toBeUndefined();
    expect(answer.body).toContain('Sign-in link not accepted');
  });

  it('refuses a missing and a repeated return address with 400', async () => {
    expect((await call({ path: '/.tenet/login' })).status).toBe(400);
    const repeated = await call({ path: `/.tenet/login?rd=${encodeURIComponent(allowedReturn())}&rd=${encodeURIComponent('https://evil.example/')}` });
    expect(repeated.status).toBe(400);
    expect(repeated.headers.location).toBeUndefined();
  });
});

describe('logout cannot be triggered from another site', () => {
  const whoami = (cookie: string) => call({ path: '/api/whoami', headers: { cookie, accept: 'application/json' } });
  const logout = (headers: Record<string, string>) => call({ method: 'POST', path: '/.tenet/logout', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: '' });

  it.each([
    ['Fetch Metadata says cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Fetch Metadata says same-site (a sibling host)', { 'sec-fetch-site': 'same-site', origin: 'https://other.localhost' }],
    ['no Fetch Metadata, a foreign Origin', { origin: 'https://evil.example' }],
    ['neither Fetch Metadata nor Origin', {}],
  ])('%s: 403, and the session lives on', async (_name, headers: Record<string, string>) => {
    const cookie = await sessionFor('bob');
    const answer = await logout({ cookie, ...headers });
    expect(answer.status).toBe(403);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect((await whoami(cookie)).status).toBe(200);
  });

  it('from Tenet\'s own page (same-origin) the session ends (control)', async () => {
    const cookie = await sessionFor('bob');
    const answer = await logout({ cookie, 'sec-fetch-site': 'same-origin', origin: stack.publicUrl });
    expect(answer.status).toBe(303);
    expect(answer.headers.location?.startsWith(`${stack.idpUrl}/`)).toBe(true);
    expect((await whoami(cookie)).status).toBe(401);
  });
});

describe('a session cookie is bound to the host it was issued on', () => {
  it('bob\'s localhost cookie presented at 127.0.0.1 (a route of the same app) is not a session there', async () => {
    const cookie = await sessionFor('bob');
    const atHome = await call({ path: '/api/whoami', headers: { cookie, accept: 'application/json' } });
    expect(atHome.status).toBe(200);

    const elsewhere = `127.0.0.1:${stack.proxyPort}`;
    const api = await call({ path: '/api/whoami', host: elsewhere, headers: { cookie, accept: 'application/json' } });
    expect(api.status).toBe(401);
    const page = await call({ path: '/', host: elsewhere, headers: { cookie, accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe(`${stack.publicUrl}/.tenet/login?rd=${encodeURIComponent(`https://${elsewhere}/`)}`);
  });

  it('a session made for 127.0.0.1 is not accepted on localhost either', async () => {
    const cookie = await sessionFor('alice', `127.0.0.1:${stack.proxyPort}`);
    expect((await call({ path: '/api/whoami', host: `127.0.0.1:${stack.proxyPort}`, headers: { cookie, accept: 'application/json' } })).status).toBe(200);
    expect((await call({ path: '/api/whoami', headers: { cookie, accept: 'application/json' } })).status).toBe(401);
  });
});
