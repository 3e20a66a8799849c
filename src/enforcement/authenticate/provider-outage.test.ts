// Tenet with its identity provider down at start, over real HTTP with a real SQLite store: the
// start succeeds and logs the failure; existing sessions keep working; everything that needs the
// provider fails closed (login and callback 503 with Retry-After, bearer and logout tokens
// refused); then a real oidc-provider starts at the configured issuer and the next login works
// end to end. Last, with fake timers: the retries back off, and close() leaves no timer behind.
import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authenticationSchema } from '../../config/enforcement-schema.js';
import { randomSecret, sha256Hex } from '../../sessions/sessions.js';
import { authnFromClaims, identityFromClaims } from './map-claims.js';
import { MIN_ATTEMPT_INTERVAL_MS, startProviderRegistry } from './provider-registry.js';
import { idTokenClaims, signedByProvider } from './testing/craft-tokens.js';
import { APP_URL, PUBLIC_URL, SESSION_COOKIE, startLoginHarness, type LoginHarness } from './testing/login-harness.js';
import { freePort, TEST_CLIENT_ID, TEST_CLIENT_SECRET } from './testing/test-provider.js';
import type { Exchange } from './testing/test-browser.js';

/** Tenet's clock runs ahead of the system clock by this much (to pass the nudge interval without waiting). */
let clockAheadMs = 0;
let harness: LoginHarness;

beforeAll(async () => {
  harness = await startLoginHarness({}, { idpDown: true, clock: () => new Date(Date.now() + clockAheadMs) });
});
afterAll(async () => {
  await harness?.close();
});

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}
const logLines = (): LogLine[] => harness.logs.map((line) => JSON.parse(line) as LogLine);

const UNAVAILABLE_TEXT = 'The sign-in service Test IdP is unavailable right now; try again in a minute.';

function expectUnavailablePage(answer: Exchange | undefined): void {
  expect(answer?.status).toBe(503);
  expect(answer?.headers['retry-after']).toBe('30');
  expect(answer?.headers['cache-control']).toBe('no-store');
  expect(answer?.headers['content-type']).toMatch(/^text\/html/);
  expect(answer?.headers.location).toBeUndefined();
  expect(answer?.setCookies).toEqual([]);
  expect(answer?.body).toContain(UNAVAILABLE_TEXT);
}

let strangerKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'] | undefined;

/** An ID token for the configured issuer, signed by a key Tenet has never seen (it cannot have: the provider is down). */
async function tokenForDownProvider(claims: Record<string, unknown> = {}): Promise<string> {
  strangerKey ??= (await generateKeyPair('RS256')).privateKey;
  const privateKey = strangerKey;
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: harness.issuer, aud: TEST_CLIENT_ID, sub: 'alice', email: 'alice@example.test', iat, exp: iat + 600, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'test-rs256' })
    .sign(privateKey);
}

describe('while the provider is down', () => {
  it('Tenet starts and logs the failed discovery at error level, without secrets', () => {
    const failure = logLines().find((line) => line.level === 50 && line.provider === 'test-idp');
    expect(failure).toMatchObject({
      issuer: harness.issuer,
      problem: expect.stringMatching(/^discovery at http:\/\/127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/),
      attempt: 1,
      retryInMs: expect.any(Number),
    });
    expect(harness.logs.some((line) => line.includes(TEST_CLIENT_SECRET))).toBe(false);
  });

  it('existing sessions keep working, and logout ends them locally', async () => {
    const claims = { sub: 'alice', email: 'alice@example.test', amr: ['pwd'] };
    const { secret, record } = await harness.sessions.start({
      identity: identityFromClaims(harness.providerConfig, claims),
      authn: authnFromClaims(harness.providerConfig, claims, new Date()),
      host: 'login.example.test',
    });
    const browser = harness.newBrowser();
    browser.setCookie('login.example.test', SESSION_COOKIE, secret);
    const who = JSON.parse((await browser.request(`${PUBLIC_URL}/whoami`)).body) as { session: { id: string } | null };
    expect(who.session?.id).toBe(record.id);
    // RP-initiated logout needs the provider's metadata: the Tenet sessions end, the browser is told it is signed out.
    const logout = await browser.request(`${PUBLIC_URL}/.tenet/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    expect(logout.status).toBe(303);
    expect(logout.location?.href).toBe(`${PUBLIC_URL}/.tenet/logged-out`);
    expect(await harness.sessions.resume(secret, 'login.example.test')).toBeUndefined();
  });

  it('a login answers 503 with Retry-After and a page naming the provider', async () => {
    const browser = harness.newBrowser();
    const hops = await harness.login(browser, `${PUBLIC_URL}/welcome`);
    expect(hops.map((hop) => hop.status)).toEqual([302, 503]);
    expectUnavailablePage(hops.at(-1));
    expect(browser.cookie('login.example.test', '__Host-tenet_login')).toBeUndefined();
    expect(logLines().some((line) => line.outcome === 'login-refused' && line.reason === 'provider-unavailable')).toBe(true);
  });

  it('a callback whose state belongs to it answers 503, with a link to start again', async () => {
    const browser = harness.newBrowser();
    const state = randomSecret();
    const binding = randomSecret();
    const now = new Date();
    await harness.store.sessions.putLoginState({
      id: sha256Hex(state),
      providerId: 'test-idp',
      nonce: randomSecret(),
      codeVerifier: randomSecret(),
      returnTo: `${PUBLIC_URL}/welcome`,
      browserBinding: sha256Hex(binding),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 600_000).toISOString(),
    });
    browser.setCookie('login.example.test', '__Host-tenet_login', binding);
    const answer = await browser.request(`${PUBLIC_URL}/.tenet/callback?code=${randomSecret()}&state=${state}`);
    expectUnavailablePage(answer);
    expect(answer.body).toContain(`href="/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/welcome`)}&#38;provider=test-idp"`);
  });

  it('bearer tokens naming its issuer are refused', async () => {
    expect(await harness.auth.bearer.authenticate(`Bearer ${await tokenForDownProvider()}`)).toEqual({ ok: false, problem: 'identity provider test-idp is unavailable' });
    // the same issuer written with a trailing slash names the same provider
    expect(await harness.auth.bearer.authenticate(`Bearer ${await tokenForDownProvider({ iss: `${harness.issuer}/` })}`)).toEqual({
      ok: false,
      problem: 'identity provider test-idp is unavailable',
    });
    expect(await harness.auth.bearer.authenticate(`Bearer ${await tokenForDownProvider({ iss: 'https://elsewhere.example.test' })}`)).toEqual({
      ok: false,
      problem: 'the token was not issued by a configured provider',
    });
  });

  it('back-channel logout tokens for it get 400 saying it is unavailable', async () => {
    const iat = Math.floor(Date.now() / 1000);
    const token = await tokenForDownProvider({ sub: 'alice', email: undefined, exp: iat + 120, jti: randomUUID(), events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
    const answer = await harness.newBrowser().request(`${PUBLIC_URL}/.tenet/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({ error: 'invalid_request', error_description: 'identity provider test-idp is unavailable' });
  });
});

describe('when the provider comes back', () => {
  it('the next login succeeds end to end, without waiting for the backoff', async () => {
    await harness.startIdp();
    // Past the interval in which a login does not start a new attempt (the last one was moments ago).
    clockAheadMs = MIN_ATTEMPT_INTERVAL_MS + 1_000;
    const browser = harness.newBrowser();
    const hops = await harness.login(browser, `${APP_URL}/after-outage`);
    expect(hops.some((hop) => hop.location?.origin === harness.idp.issuer)).toBe(true);
    expect(hops.at(-1)?.url.href).toBe(`${APP_URL}/after-outage`);
    const who = JSON.parse((await browser.request(`${APP_URL}/whoami`)).body) as { session: { identity: { providerId: string; idpSubject: string } } | null };
    expect(who.session?.identity).toMatchObject({ providerId: 'test-idp', idpSubject: 'alice' });
    const discovered = logLines().filter((line) => line.level === 30 && line.msg === 'OpenID provider discovered');
    expect(discovered).toEqual([expect.objectContaining({ provider: 'test-idp', issuer: harness.idp.issuer })]);
  });

  it('its bearer tokens are accepted again', async () => {
    const token = await signedByProvider(harness.idp, idTokenClaims(harness.idp));
    expect(await harness.auth.bearer.authenticate(`Bearer ${token}`)).toMatchObject({ ok: true, identity: { providerId: 'test-idp', idpSubject: 'alice' } });
  });

  it('nothing secret was logged', () => {
    expect(harness.logs.some((line) => line.includes(TEST_CLIENT_SECRET))).toBe(false);
  });
});

describe('background retries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('back off, and close() cancels them: no timer is left and no attempt follows', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const failures: LogLine[] = [];
    const waiters: (() => void)[] = [];
    const logger = pino({ level: 'info' }, {
      write: (text: string) => {
        const line = JSON.parse(text) as LogLine;
        if (line.level === 50) failures.push(line);
        waiters.splice(0).forEach((wake) => wake());
      },
    });
    /** Resolves once `count` attempts have failed (driven by the log, not by time). */
    const failed = async (count: number): Promise<LogLine> => {
      while (failures.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return failures[count - 1] as LogLine;
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const config = authenticationSchema.parse({ providers: [{ id: 'down', issuer, clientId: 'c', allowInsecureHttp: true }] });
    const registry = await startProviderRegistry({ providers: config.providers, readSecret: () => undefined, logger, now: () => new Date(), random: () => 0.5 });
    const first = await failed(1);
    expect(first).toMatchObject({ provider: 'down', attempt: 1, retryInMs: 750 });

    // The retry fires after its delay; the next waits twice as long (1 s doubling, equal jitter).
    await vi.advanceTimersByTimeAsync(750);
    expect(await failed(2)).toMatchObject({ attempt: 2, retryInMs: 1_500 });
    expect(registry.byId('down')).toEqual({ config: config.providers[0], discovered: undefined });

    const pending = vi.getTimerCount();
    registry.close();
    expect(vi.getTimerCount()).toBe(pending - 1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(failures).toHaveLength(2);
  });
});
