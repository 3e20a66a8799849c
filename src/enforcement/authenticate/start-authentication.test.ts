// startAuthentication: discovery at start (and its failures as config errors), the provider choice
// page with several providers, and a deployment without providers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticationSchema } from '../../config/enforcement-schema.js';
import { isTenetError } from '../../errors.js';
import { Sessions } from '../../sessions/sessions.js';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { startAuthentication, type AuthenticationService } from './index.js';
import { TestBrowser } from './testing/test-browser.js';
import { startTestProvider, type TestProvider } from './testing/test-provider.js';

const PUBLIC_URL = 'https://login.example.test';
let store: Store;
let sessions: Sessions;
const idps: TestProvider[] = [];
const servers: Server[] = [];
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  sessions = new Sessions(store.sessions, { cookieName: '__Host-tenet_session', idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 });
  for (let i = 0; i < 2; i += 1) {
    idps.push(await startTestProvider({ redirectUri: `${PUBLIC_URL}/.tenet/callback`, postLogoutRedirectUri: `${PUBLIC_URL}/.tenet/logged-out` }));
  }
});
afterAll(async () => {
  for (const server of servers) server.close();
  await Promise.all(idps.map((idp) => idp.close()));
  await store?.close();
});

function providerEntry(idp: TestProvider, id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, allowInsecureHttp: true, ...extra };
}

function start(providers: Record<string, unknown>[], publicUrl = PUBLIC_URL): Promise<AuthenticationService> {
  return startAuthentication({
    config: authenticationSchema.parse({ providers }),
    publicUrl,
    sessions,
    store: store.sessions,
    returnToAllowed: (url) => url.host === 'login.example.test',
    readSecret: (provider) => provider.clientSecret,
    logger: silent,
  });
}

async function configError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isTenetError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a config error');
}

/** Serves `auth`'s endpoints on loopback; a TestBrowser that maps our host to it. */
async function serve(auth: AuthenticationService): Promise<TestBrowser> {
  const server = createServer((req, res) => {
    const facts = { method: req.method ?? 'GET', scheme: 'https' as const, host: (req.headers.host ?? '').toLowerCase(), path: req.url ?? '/', clientIp: '127.0.0.1', ...(req.headers.cookie !== undefined ? { cookie: req.headers.cookie } : {}) };
    void auth.endpoints.handle(req, res, facts).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return new TestBrowser((url) => (url.hostname === 'login.example.test' ? port : Number(url.port)));
}

describe('startAuthentication', () => {
  it('fails with a config error naming a provider whose discovery fails', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await configError(start([providerEntry(idps[0] as TestProvider, 'good'), { id: 'down', issuer: `http://127.0.0.1:${port}`, clientId: 'c', allowInsecureHttp: true }]));
    expect(error.code).toBe('TENET_ERR_CONFIG_INVALID');
    expect(error.message).toMatch(/OpenID provider "down": discovery at http:\/\/127\.0\.0\.1:\d+ failed/);
  });

  it('refuses an http:// issuer unless allowInsecureHttp is set', async () => {
    const error = await configError(start([{ id: 'plain', issuer: (idps[0] as TestProvider).issuer, clientId: 'c' }]));
    expect(error).toEqual({ code: 'TENET_ERR_CONFIG_INVALID', message: expect.stringMatching(/"plain": the issuer uses http:\/\//) });
  });

  it('fails when the issuer serves no discovery document', async () => {
    const error = await configError(start([{ ...providerEntry(idps[0] as TestProvider, 'nowhere'), issuer: `${(idps[0] as TestProvider).issuer}/nothing-here` }]));
    expect(error.message).toMatch(/"nowhere": discovery at .*\/nothing-here failed/);
  });

  it('refuses duplicate provider ids, duplicate issuers and a publicUrl with a path', async () => {
    const idp = idps[0] as TestProvider;
    expect((await configError(start([providerEntry(idp, 'a'), providerEntry(idps[1] as TestProvider, 'a')]))).message).toMatch(/used twice/);
    expect((await configError(start([providerEntry(idp, 'a'), providerEntry(idp, 'b')]))).message).toMatch(/configured twice/);
    expect((await configError(start([providerEntry(idp, 'a')], 'https://login.example.test/auth'))).message).toMatch(/proxy.publicUrl/);
  });

  it('offers a choice between several providers, keeping the step-up request', async () => {
    const auth = await start([providerEntry(idps[0] as TestProvider, 'first', { name: 'First <IdP>' }), providerEntry(idps[1] as TestProvider, 'second')]);
    const browser = await serve(auth);
    const page = await browser.request(`${PUBLIC_URL}/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/x`)}&step_up=1&max_age=60`);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('First &#60;IdP&#62;');
    expect(page.body).not.toContain('First <IdP>');
    const links = [...page.body.matchAll(/href="([^"]+)"/g)].map((match) => (match[1] ?? '').replace(/&#38;/g, '&'));
    expect(links).toHaveLength(2);
    expect(links[1]).toBe(`/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/x`)}&step_up=1&max_age=60&provider=second`);
    const chosen = await browser.request(new URL(links[1] ?? '', PUBLIC_URL));
    expect(chosen.status).toBe(302);
    expect(chosen.location?.origin).toBe((idps[1] as TestProvider).issuer);
    expect(chosen.location?.searchParams.get('max_age')).toBe('60');
    const unknown = await browser.request(`${PUBLIC_URL}/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/x`)}&provider=nope`);
    expect(unknown.status).toBe(400);
    await auth.close();
  });

  it('without providers: login is unavailable and bearer tokens are refused', async () => {
    const auth = await start([]);
    const browser = await serve(auth);
    const page = await browser.request(`${PUBLIC_URL}/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/x`)}`);
    expect(page.status).toBe(503);
    expect(await auth.bearer.authenticate('Bearer a.b.c')).toEqual({ ok: false, problem: 'the token is not a JWT' });
  });

  it('refuses bearer tokens when bearerTokens is false', async () => {
    const auth = await startAuthentication({
      config: authenticationSchema.parse({ providers: [providerEntry(idps[0] as TestProvider, 'p')], bearerTokens: false }),
      publicUrl: PUBLIC_URL,
      sessions,
      store: store.sessions,
      returnToAllowed: () => true,
      readSecret: () => undefined,
      logger: silent,
    });
    expect(await auth.bearer.authenticate('Bearer a.b.c')).toEqual({ ok: false, problem: expect.stringMatching(/not accepted/) });
  });
});
