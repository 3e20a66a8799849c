// startAuthentication: the configuration errors that stop the start, providers that cannot be
// discovered (the start goes on; they answer 503 until discovered), two providers with one
// discovered issuer, the provider choice page with several providers, and a deployment without
// providers. provider-outage.test.ts follows a provider that is down at start and comes back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticationSchema } from '../../config/enforcement-schema.js';
import { isTenetError } from '../../errors.js';
import { Sessions } from '../../sessions/sessions.js';
import type { Store } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { startAuthentication, type AuthenticationService } from './index.js';
import { idTokenClaims, signedByProvider } from './testing/craft-tokens.js';
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

function start(providers: Record<string, unknown>[], publicUrl = PUBLIC_URL, logger: Logger = silent): Promise<AuthenticationService> {
  return startAuthentication({
    config: authenticationSchema.parse({ providers }),
    publicUrl,
    sessions,
    store: store.sessions,
    returnToAllowed: (url) => url.host === 'login.example.test',
    readSecret: (provider) => provider.clientSecret,
    logger,
  });
}

/** A logger whose lines (parsed) the test reads. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }), lines };
}

const loginUrl = (provider?: string): string => `${PUBLIC_URL}/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/x`)}${provider === undefined ? '' : `&provider=${provider}`}`;

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
  it('starts when a provider cannot be discovered: logs it, offers it, answers 503 for it, serves the others', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { logger, lines } = capturingLogger();
    const auth = await start([providerEntry(idps[0] as TestProvider, 'good'), { id: 'down', name: 'Down SSO', issuer: `http://127.0.0.1:${port}`, clientId: 'c', allowInsecureHttp: true }], PUBLIC_URL, logger);
    try {
      expect(lines.filter((line) => line.level === 50)).toEqual([
        expect.objectContaining({ provider: 'down', issuer: `http://127.0.0.1:${port}`, problem: expect.stringMatching(/^discovery at http:\/\/127\.0\.0\.1:\d+ failed/), attempt: 1 }),
      ]);
      expect(lines).toContainEqual(expect.objectContaining({ level: 30, provider: 'good', msg: 'OpenID provider discovered' }));
      const browser = await serve(auth);
      const choice = await browser.request(loginUrl());
      expect(choice.status).toBe(200);
      expect(choice.body).toContain('Down SSO');
      const down = await browser.request(loginUrl('down'));
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('30');
      expect(down.body).toContain('The sign-in service Down SSO is unavailable right now; try again in a minute.');
      const good = await browser.request(loginUrl('good'));
      expect(good.status).toBe(302);
      expect(good.location?.origin).toBe((idps[0] as TestProvider).issuer);
    } finally {
      await auth.close();
    }
  });

  it('refuses an http:// issuer unless allowInsecureHttp is set', async () => {
    const error = await configError(start([{ id: 'plain', issuer: (idps[0] as TestProvider).issuer, clientId: 'c' }]));
    expect(error).toEqual({ code: 'TENET_ERR_CONFIG_INVALID', message: expect.stringMatching(/"plain": the issuer uses http:\/\//) });
  });

  it('refuses a provider whose client secret cannot be read, before any network', async () => {
    const error = await configError(
      startAuthentication({
        config: authenticationSchema.parse({ providers: [{ id: 'secretless', issuer: 'https://unreachable.invalid', clientId: 'c', clientSecretFile: '/nonexistent' }] }),
        publicUrl: PUBLIC_URL,
        sessions,
        store: store.sessions,
        returnToAllowed: () => true,
        readSecret: () => {
          throw new Error('ENOENT: /nonexistent');
        },
        logger: silent,
      }),
    );
    expect(error).toEqual({ code: 'TENET_ERR_CONFIG_INVALID', message: 'OpenID provider "secretless": the client secret could not be read: ENOENT: /nonexistent.' });
  });

  it('starts when the issuer serves no discovery document, and logs why', async () => {
    const { logger, lines } = capturingLogger();
    const auth = await start([{ ...providerEntry(idps[0] as TestProvider, 'nowhere'), issuer: `${(idps[0] as TestProvider).issuer}/nothing-here` }], PUBLIC_URL, logger);
    try {
      expect(lines).toContainEqual(expect.objectContaining({ level: 50, provider: 'nowhere', problem: expect.stringMatching(/discovery at .*\/nothing-here failed/) }));
      const browser = await serve(auth);
      expect((await browser.request(loginUrl())).status).toBe(503);
    } finally {
      await auth.close();
    }
  });

  it('refuses duplicate provider ids, duplicate issuers and a publicUrl with a path', async () => {
    const idp = idps[0] as TestProvider;
    expect((await configError(start([providerEntry(idp, 'a'), providerEntry(idps[1] as TestProvider, 'a')]))).message).toMatch(/used twice/);
    expect((await configError(start([providerEntry(idp, 'a'), providerEntry(idp, 'b')]))).message).toMatch(/configured twice/);
    expect((await configError(start([providerEntry(idp, 'a'), { ...providerEntry(idp, 'b'), issuer: `${idp.issuer}/` }]))).message).toMatch(/configured twice/);
    expect((await configError(start([providerEntry(idp, 'a')], 'https://login.example.test/auth'))).message).toMatch(/proxy.publicUrl/);
  });

  it('keeps the second of two providers with one discovered issuer unusable, and keeps running', async () => {
    const idp = idps[0] as TestProvider;
    const { logger, lines } = capturingLogger();
    // A discovery URL as issuer skips openid-client's issuer check: only the metadata shows that both are one issuer.
    const auth = await start([providerEntry(idp, 'a'), { ...providerEntry(idp, 'b'), issuer: `${idp.issuer}/.well-known/openid-configuration` }], PUBLIC_URL, logger);
    try {
      expect(lines.filter((line) => line.level === 50)).toEqual([expect.objectContaining({ provider: 'b', issuer: idp.issuer, sameIssuerAs: 'a' })]);
      const browser = await serve(auth);
      expect((await browser.request(loginUrl('b'))).status).toBe(503);
      expect((await browser.request(loginUrl('a'))).status).toBe(302);
      // its tokens are the first provider's
      const token = await signedByProvider(idp, idTokenClaims(idp));
      expect(await auth.bearer.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true, identity: { providerId: 'a' } });
    } finally {
      await auth.close();
    }
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
