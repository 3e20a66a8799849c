// The example upstream app over real HTTP and WebSocket on loopback, with assertions signed here
// by a local ES256 key whose JWKS a local HTTP server publishes (as Tenet's proxy does).
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCALHOST_CERT_PEM, LOCALHOST_KEY_PEM } from '../../../src/dev-idp/testing/localhost-certificate.js';
import { startExampleApp, type RunningExampleApp } from './server.js';

const ISSUER = 'https://tenet.test';
const AUDIENCE = 'wiki';
const KID = 'tenet-assertion-1';

let signingKey: CryptoKey;
let otherKey: CryptoKey;
let jwksServer: Server;
let publicJwk: JWK;
let app: RunningExampleApp;
const log: string[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
  jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify({ keys: [publicJwk] })));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.tenet/jwks.json`;
  app = await startExampleApp({ port: 0, jwksUrl, issuer: ISSUER, audience: AUDIENCE, log: (line) => log.push(line) });
});

afterAll(async () => {
  await app?.stop();
  await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
});

interface AssertionOverrides {
  readonly claims?: Record<string, unknown>;
  readonly iss?: string;
  readonly aud?: string;
  readonly iat?: number;
  readonly exp?: number;
  readonly key?: CryptoKey;
  readonly kid?: string;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

async function assertion(overrides: AssertionOverrides = {}): Promise<string> {
  const iat = overrides.iat ?? now();
  return new SignJWT({
    email: 'alice@example.com',
    name: 'Alice <Anderson>',
    groups: ['employees', 'admins'],
    device_id: 'alice-laptop',
    decision_id: 'dec-123',
    ...overrides.claims,
  })
    .setProtectedHeader({ alg: 'ES256', kid: overrides.kid ?? KID })
    .setIssuer(overrides.iss ?? ISSUER)
    .setAudience(overrides.aud ?? AUDIENCE)
    .setSubject('User::"alice"')
    .setIssuedAt(iat)
    .setExpirationTime(overrides.exp ?? iat + 60)
    .setJti('jti-1')
    .sign(overrides.key ?? signingKey);
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${app.url}${path}`, { headers });
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('example upstream app', () => {
  it('greets the user named by a valid assertion, with the verified claims and the request path, escaped', async () => {
    const page = await get('/some/page?x=1', { 'x-tenet-assertion': await assertion() });
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<h1>Hello Alice &#60;Anderson&#62;</h1>');
    for (const shown of ['User::&#34;alice&#34;', 'alice@example.com', 'employees, admins', 'alice-laptop', 'dec-123', 'GET /some/page?x=1']) expect(page.body).toContain(shown);
  });

  it('returns the verified claims as JSON at /api/whoami', async () => {
    const page = await get('/api/whoami', { 'X-Tenet-Assertion': await assertion() });
    expect(page.status).toBe(200);
    expect(JSON.parse(page.body)).toMatchObject({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'User::"alice"',
      email: 'alice@example.com',
      groups: ['employees', 'admins'],
      device_id: 'alice-laptop',
      decision_id: 'dec-123',
      jti: 'jti-1',
    });
  });

  it('answers 401 without an assertion, and never believes plain identity headers', async () => {
    const forged = { 'x-email': 'alice@example.com', 'x-user': 'alice', 'x-forwarded-user': 'alice', 'remote-user': 'alice' };
    const page = await get('/', forged);
    expect(page.status).toBe(401);
    expect(page.body).toBe('no valid Tenet identity assertion\n');
    const api = await get('/api/whoami', forged);
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toEqual({ error: 'no valid Tenet identity assertion' });
  });

  it.each<[string, RegExp, () => Promise<string>]>([
    ['another issuer', /"iss" claim/, () => assertion({ iss: 'https://evil.test' })],
    ['another audience (route)', /"aud" claim/, () => assertion({ aud: 'payroll' })],
    ['expired', /"exp" claim/, () => assertion({ iat: now() - 600, exp: now() - 300 })],
    ['a lifetime over two minutes', /lifetime exceeds 120 s/, () => assertion({ exp: now() + 3600 })],
    ['issued in the future', /"iat" claim/, () => assertion({ iat: now() + 600, exp: now() + 660 })],
    ['signed by another key under the same kid', /signature verification failed/, () => assertion({ key: otherKey })],
    ['an unknown kid', /no applicable key/, () => assertion({ kid: 'other' })],
    ['no decision_id', /decision_id must be/, () => assertion({ claims: { decision_id: undefined } })],
    ['groups that are not strings', /groups must be/, () => assertion({ claims: { groups: [1, 2] } })],
    ['alg none', /"alg"/, async () => `${base64url({ alg: 'none', kid: KID })}.${(await assertion()).split('.')[1]}.`],
    [
      'alg HS256 keyed with a string',
      /"alg"/,
      async () =>
        new SignJWT({ decision_id: 'd' })
          .setProtectedHeader({ alg: 'HS256', kid: KID })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setSubject('User::"alice"')
          .setIssuedAt()
          .setExpirationTime('60s')
          .setJti('j')
          .sign(new TextEncoder().encode('a-secret-anyone-could-guess-000000')),
    ],
    [
      'a payload changed after signing',
      /signature verification failed/,
      async () => {
        const [header, , signature] = (await assertion()).split('.');
        return `${header}.${base64url({ iss: ISSUER, aud: AUDIENCE, sub: 'User::"mallory"', iat: now(), exp: now() + 60, jti: 'x', decision_id: 'd' })}.${signature}`;
      },
    ],
  ])('refuses an assertion with %s', async (_name, reason, make) => {
    const page = await get('/api/whoami', { 'x-tenet-assertion': await make() });
    expect(page.status).toBe(401);
    expect(log.at(-1)).toMatch(reason);
  });

  it('refuses two assertion headers', async () => {
    const token = await assertion();
    const headers = new Headers();
    headers.append('x-tenet-assertion', token);
    headers.append('x-tenet-assertion', token);
    const response = await fetch(`${app.url}/api/whoami`, { headers });
    expect(response.status).toBe(401);
    expect(log.some((line) => line.includes('refused'))).toBe(true);
    // The log names the reason, never the token.
    expect(log.some((line) => line.includes(token))).toBe(false);
  });

  it('echoes over a WebSocket whose upgrade carries a valid assertion, and refuses the upgrade without one', async () => {
    const wsUrl = `${app.url.replace('http', 'ws')}/ws`;
    const socket = new WebSocket(wsUrl, { headers: { 'x-tenet-assertion': await assertion() } });
    await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const echoed = new Promise<string>((resolve) => socket.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
    socket.send('ping through Tenet');
    expect(await echoed).toBe('ping through Tenet');
    socket.close();

    const refused = new WebSocket(wsUrl, { headers: { 'x-email': 'alice@example.com' } });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      refused.once('open', () => reject(new Error('the upgrade was accepted')));
      refused.once('error', reject);
    });
    expect(status).toBe(401);
  });

  it('fetches the JWKS over https from a self-signed server (the quickstart proxy) only when given its certificate', async () => {
    const https = createHttpsServer({ cert: LOCALHOST_CERT_PEM, key: LOCALHOST_KEY_PEM }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `https://localhost:${(https.address() as AddressInfo).port}/.tenet/jwks.json`;
    const trusting = await startExampleApp({ port: 0, jwksUrl, issuer: ISSUER, jwksCa: LOCALHOST_CERT_PEM, log: () => {} });
    const untrusting = await startExampleApp({ port: 0, jwksUrl, issuer: ISSUER, log: () => {} });
    try {
      const token = await assertion();
      expect((await fetch(`${trusting.url}/api/whoami`, { headers: { 'x-tenet-assertion': token } })).status).toBe(200);
      expect((await fetch(`${untrusting.url}/api/whoami`, { headers: { 'x-tenet-assertion': token } })).status).toBe(401);
    } finally {
      await Promise.all([trusting.stop(), untrusting.stop()]);
      await new Promise<void>((resolve) => https.close(() => resolve()));
    }
  });
});
