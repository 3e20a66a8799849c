// Browser logins through the real endpoints against a real oidc-provider and a real SQLite store:
// the happy path and its cookies, hand-off to a second host, open-redirect attempts, state replay,
// login CSRF, provider errors and step-up.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedByProvider } from './testing/craft-tokens.js';
import { APP_URL, PUBLIC_URL, SESSION_COOKIE, startLoginHarness, type LoginHarness } from './testing/login-harness.js';
import { cookieAttributes, type Exchange, type TestBrowser } from './testing/test-browser.js';

let harness: LoginHarness;
/** Secrets seen on the wire during the tests; none may appear in a log line. */
const secrets = new Set<string>();

beforeAll(async () => {
  harness = await startLoginHarness();
});
afterAll(async () => {
  await harness?.close();
});

const isCallback = (url: URL): boolean => url.pathname === '/.tenet/callback';

/** Follows a login up to (not including) the provider's redirect to the callback; returns the callback URL. */
async function loginUntilCallback(browser: TestBrowser, rd: string, extra: Record<string, string> = {}): Promise<{ hops: Exchange[]; callback: URL }> {
  const hops = await browser.follow(`${APP_URL}/.tenet/login?${new URLSearchParams({ rd, ...extra }).toString()}`, { stopAt: isCallback });
  const callback = hops.at(-1)?.location;
  if (callback === undefined || !isCallback(callback)) throw new Error(`login did not reach the callback: ${hops.map((hop) => `${hop.status} ${hop.url.href}`).join('\n')}`);
  remember(callback.searchParams.get('code'), callback.searchParams.get('state'));
  return { hops, callback };
}

function remember(...values: (string | null | undefined)[]): void {
  for (const value of values) if (value !== null && value !== undefined && value.length >= 16) secrets.add(value);
}

function sessionCookieLine(exchange: Exchange): string | undefined {
  return exchange.setCookies.find((line) => line.startsWith(`${SESSION_COOKIE}=`));
}

async function whoami(browser: TestBrowser, base: string): Promise<{ session: { id: string; loginId: string; host: string; identity: Record<string, unknown>; authn: Record<string, unknown>; idToken?: string } | null }> {
  const answer = await browser.request(`${base}/whoami`);
  return JSON.parse(answer.body) as never;
}

function expectRefusedPage(answer: Exchange, status: number, text: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^text\/html/);
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers.location).toBeUndefined();
  expect(sessionCookieLine(answer)).toBeUndefined();
  expect(answer.body).toMatch(text);
}

describe('a full login', () => {
  it('moves to the publicUrl host, logs in at the provider, and sets a __Host- session cookie', async () => {
    const browser = harness.newBrowser();
    const hops = await harness.login(browser, `${PUBLIC_URL}/welcome`);
    const [first, second, ...rest] = hops;
    // 1. the login on the app host moves to the publicUrl host with the same query
    expect(first?.status).toBe(302);
    expect(first?.location?.href).toBe(`${PUBLIC_URL}/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/welcome`)}`);
    expect(first?.setCookies).toEqual([]);
    // 2. the publicUrl host sets the binding cookie and sends the browser to the provider with PKCE
    expect(second?.status).toBe(302);
    const authorize = second?.location;
    expect(authorize?.origin).toBe(harness.idp.issuer);
    expect(authorize?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize?.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize?.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/.tenet/callback`);
    expect(authorize?.searchParams.get('scope')).toBe('openid email profile groups');
    expect(authorize?.searchParams.get('state')?.length).toBeGreaterThanOrEqual(43);
    expect(authorize?.searchParams.get('nonce')?.length).toBeGreaterThanOrEqual(43);
    expect(authorize?.searchParams.has('max_age')).toBe(false);
    const binding = second?.setCookies.find((line) => line.startsWith('__Host-tenet_login='));
    expect(binding).toBeDefined();
    const bindingCookie = cookieAttributes(binding ?? '');
    expect(Object.fromEntries(bindingCookie.attributes)).toEqual({ path: '/', secure: '', httponly: '', samesite: 'Lax', 'max-age': '600' });
    remember(bindingCookie.value);

    // 3. the callback sets the session cookie, clears the binding cookie, and returns to rd
    const callback = rest.find((hop) => isCallback(hop.url));
    expect(callback?.status).toBe(302);
    expect(callback?.location?.href).toBe(`${PUBLIC_URL}/welcome`);
    expect(callback?.headers['cache-control']).toBe('no-store');
    expect(callback?.headers['referrer-policy']).toBe('no-referrer');
    remember(callback?.url.searchParams.get('code'), callback?.url.searchParams.get('state'));
    const line = callback === undefined ? undefined : sessionCookieLine(callback);
    expect(line).toBeDefined();
    const cookie = cookieAttributes(line ?? '');
    remember(cookie.value);
    expect(cookie.name).toBe('__Host-tenet_session');
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes.get('path')).toBe('/');
    expect(cookie.attributes.has('secure')).toBe(true);
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')).toBe('Lax');
    expect(cookie.attributes.has('domain')).toBe(false);
    expect(Number(cookie.attributes.get('max-age'))).toBeGreaterThan(40_000);
    expect(callback?.setCookies.some((set) => /^__Host-tenet_login=;.*Max-Age=0/.test(set))).toBe(true);
    expect(hops.at(-1)?.url.href).toBe(`${PUBLIC_URL}/welcome`);

    // the session holds the mapped identity: subject from email, groups from UserInfo, attributes
    const { session } = await whoami(browser, PUBLIC_URL);
    remember(session?.idToken);
    expect(session?.host).toBe('login.example.test');
    expect(session?.identity).toMatchObject({
      providerId: 'test-idp',
      idpSubject: 'alice',
      subject: { type: 'User', id: 'alice@example.test' },
      parents: [{ type: 'Group', id: 'engineering' }, { type: 'Group', id: 'admins' }],
      groups: ['engineering', 'admins'],
      attributes: { department: 'R&D', emailVerified: true },
      email: 'alice@example.test',
      name: 'Alice Example',
    });
    expect(session?.identity.idpSessionId).toEqual(expect.any(String));
    expect(session?.authn).toMatchObject({ methods: ['pwd'], phishingResistant: false, acr: 'urn:test:pwd', authenticatedAt: expect.any(String) });
    // the session is not usable on another host (the cookie is bound to the publicUrl host)
    expect((await whoami(browser, APP_URL)).session).toBeNull();
  });

  it('hands the login over to a second host with a one-time code', async () => {
    const browser = harness.newBrowser();
    const hops = await harness.login(browser, `${APP_URL}/dashboard?tab=1`);
    const callback = hops.find((hop) => isCallback(hop.url));
    const handoff = callback?.location;
    expect(handoff?.origin).toBe(APP_URL);
    expect(handoff?.pathname).toBe('/.tenet/session');
    const code = handoff?.searchParams.get('code') ?? '';
    remember(code);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const redeem = hops.find((hop) => hop.url.pathname === '/.tenet/session');
    expect(redeem?.status).toBe(302);
    expect(redeem?.location?.href).toBe(`${APP_URL}/dashboard?tab=1`);
    expect(redeem?.headers['referrer-policy']).toBe('no-referrer');
    expect(sessionCookieLine(redeem as Exchange)).toMatch(/^__Host-tenet_session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    remember(browser.cookie('app.example.test', SESSION_COOKIE), browser.cookie('login.example.test', SESSION_COOKIE));
    expect(browser.cookie('app.example.test', SESSION_COOKIE)).not.toBe(browser.cookie('login.example.test', SESSION_COOKIE));

    const onApp = (await whoami(browser, APP_URL)).session;
    const onLogin = (await whoami(browser, PUBLIC_URL)).session;
    expect(onApp?.host).toBe('app.example.test');
    expect(onLogin?.host).toBe('login.example.test');
    expect(onApp?.loginId).toBe(onLogin?.loginId);
    expect(onApp?.identity).toEqual(onLogin?.identity);

    // the code works once, and only on the host it was issued for
    const again = await harness.newBrowser().request(handoff ?? '');
    expectRefusedPage(again, 400, /expired or was already used/);
    expect(again.body).toContain('href="/.tenet/login?rd=https%3A%2F%2Fapp.example.test%2F"');
  });

  it('refuses a hand-off code on another host than the one it was issued for', async () => {
    const browser = harness.newBrowser();
    const { callback } = await loginUntilCallback(browser, `${APP_URL}/x`);
    const answer = await browser.request(callback);
    const handoff = answer.location;
    expect(handoff?.pathname).toBe('/.tenet/session');
    const elsewhere = await browser.request(`${PUBLIC_URL}/.tenet/session?code=${handoff?.searchParams.get('code') ?? ''}`);
    expectRefusedPage(elsewhere, 400, /expired or was already used/);
    // and having been tried elsewhere does not make it usable later on the right host either
    expect((await browser.request(handoff ?? '')).status).toBe(400);
  });

  it('rotates the session at every login and revokes the one the browser held', async () => {
    const browser = harness.newBrowser();
    await harness.login(browser, `${PUBLIC_URL}/one`);
    const first = browser.cookie('login.example.test', SESSION_COOKIE);
    const firstSession = (await whoami(browser, PUBLIC_URL)).session;
    await harness.login(browser, `${PUBLIC_URL}/two`);
    const second = browser.cookie('login.example.test', SESSION_COOKIE);
    remember(first, second);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const stale = harness.newBrowser();
    stale.setCookie('login.example.test', SESSION_COOKIE, first ?? '');
    expect((await whoami(stale, PUBLIC_URL)).session).toBeNull();
    expect((await harness.store.sessions.get(firstSession?.id ?? ''))?.revokedAt).toEqual(expect.any(String));
    // the same user signing in again stays in the same login, so one logout still ends everything
    expect((await whoami(browser, PUBLIC_URL)).session?.loginId).toBe(firstSession?.loginId);
  });

  it('ends the previous user\'s whole login when another user signs in on the same browser', async () => {
    const browser = harness.newBrowser();
    await harness.login(browser, `${APP_URL}/alice`);
    const alice = (await whoami(browser, APP_URL)).session;
    expect(alice?.identity.idpSubject).toBe('alice');
    // alice signs out at the provider only (its cookies go), and bob signs in there
    browser.clearCookies(new URL(harness.idp.issuer).host);
    harness.idp.nextLogin = { accountId: 'bob', amr: ['pwd'] };
    try {
      await harness.login(browser, `${PUBLIC_URL}/bob`);
    } finally {
      harness.idp.nextLogin = { accountId: 'alice', amr: ['pwd'], acr: 'urn:test:pwd' };
    }
    const bob = (await whoami(browser, PUBLIC_URL)).session;
    expect(bob?.identity.idpSubject).toBe('bob');
    expect(bob?.loginId).not.toBe(alice?.loginId);
    // alice's session on the app host (where the browser still holds her cookie) is over
    expect((await whoami(browser, APP_URL)).session).toBeNull();
    expect((await harness.store.sessions.get(alice?.id ?? ''))?.revokedAt).toEqual(expect.any(String));
  });
});

describe('the return address (rd) is never an open redirect', () => {
  const attempts: [string, string | undefined][] = [
    ['another host', 'https://evil.example/'],
    ['a sibling host with our name as prefix', 'https://app.example.test.evil.example/'],
    ['a protocol-relative URL', '//evil.example/x'],
    ['a relative path', '/dashboard'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['a scheme without slashes', 'https:evil.example'],
    ['a scheme with one slash', 'https:/evil.example'],
    ['backslashes', 'https:\\\\evil.example'],
    ['a backslash after the scheme', 'https:/\\evil.example'],
    ['a backslash before userinfo', 'https://app.example.test\\@evil.example/'],
    ['userinfo naming our host', 'https://app.example.test@evil.example/'],
    ['userinfo with a password', 'https://user:pass@app.example.test/'],
    ['a fragment hiding the host', 'https://evil.example#@app.example.test'],
    ['plain http to our host', 'http://app.example.test/'],
    ['a leading space', ' https://app.example.test/'],
    ['a tab inside the scheme', 'ht\ttps://app.example.test/'],
    ['a newline', 'https://app.example.test/\nLocation: https://evil.example/'],
    ['an encoded host', 'https://evil%2eexample/'],
    ['an empty value', ''],
    ['no rd at all', undefined],
  ];
  it.each(attempts)('refuses %s with a 400 page and no redirect', async (_name, rd) => {
    for (const base of [APP_URL, PUBLIC_URL]) {
      const query = rd === undefined ? '' : `?${new URLSearchParams({ rd }).toString()}`;
      const answer = await harness.newBrowser().request(`${base}/.tenet/login${query}`);
      expectRefusedPage(answer, 400, /Sign-in link not accepted/);
      expect(answer.setCookies).toEqual([]);
    }
  });

  it('refuses a repeated rd', async () => {
    const answer = await harness.newBrowser().request(`${APP_URL}/.tenet/login?rd=${encodeURIComponent(`${APP_URL}/`)}&rd=${encodeURIComponent('https://evil.example/')}`);
    expectRefusedPage(answer, 400, /Sign-in link not accepted/);
  });

  it('escapes the refused address on the page', async () => {
    const answer = await harness.newBrowser().request(`${APP_URL}/.tenet/login?rd=${encodeURIComponent('https://<b>evil</b>.example/')}`);
    expect(answer.status).toBe(400);
    expect(answer.body).not.toContain('<b>');
  });
});

describe('state, binding cookie and provider errors', () => {
  it('refuses a callback whose state was already used, and creates no second session', async () => {
    const browser = harness.newBrowser();
    const { callback } = await loginUntilCallback(browser, `${PUBLIC_URL}/a`);
    const first = await browser.request(callback);
    expect(first.status).toBe(302);
    remember(browser.cookie('login.example.test', SESSION_COOKIE));
    const before = await harness.store.sessions.listActive(new Date().toISOString());
    const replay = await browser.request(callback, { headers: { cookie: `__Host-tenet_login=${'A'.repeat(43)}` } });
    expectRefusedPage(replay, 400, /expired or was already completed/);
    const replayWithCookies = await browser.request(callback);
    expectRefusedPage(replayWithCookies, 400, /expired or was already completed/);
    expect(await harness.store.sessions.listActive(new Date().toISOString())).toHaveLength(before.length);
  });

  it('refuses a callback from a browser without the binding cookie (login CSRF)', async () => {
    const attacker = harness.newBrowser();
    const { callback } = await loginUntilCallback(attacker, `${PUBLIC_URL}/a`);
    const victim = harness.newBrowser();
    const answer = await victim.request(callback);
    expectRefusedPage(answer, 400, /started in another browser/);
    expect(answer.body).toContain('Start again');
    expect(victim.cookie('login.example.test', SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a callback from a browser with a different binding cookie', async () => {
    const attacker = harness.newBrowser();
    const { callback } = await loginUntilCallback(attacker, `${PUBLIC_URL}/a`);
    const victim = harness.newBrowser();
    await loginUntilCallback(victim, `${PUBLIC_URL}/b`); // the victim holds a binding cookie of its own
    expect(victim.cookie('login.example.test', '__Host-tenet_login')).toBeDefined();
    const answer = await victim.request(callback);
    expectRefusedPage(answer, 400, /started in another browser/);
  });

  it('refuses a callback with an unknown or missing state', async () => {
    const browser = harness.newBrowser();
    expectRefusedPage(await browser.request(`${PUBLIC_URL}/.tenet/callback?code=abc&state=${'x'.repeat(43)}`), 400, /expired or was already completed/);
    expectRefusedPage(await browser.request(`${PUBLIC_URL}/.tenet/callback?code=abc`), 400, /missing its state/);
  });

  it('shows a provider error (escaped) and creates no session', async () => {
    const browser = harness.newBrowser();
    const hops = await browser.follow(`${PUBLIC_URL}/.tenet/login?${new URLSearchParams({ rd: `${PUBLIC_URL}/` }).toString()}`, { stopAt: (url) => url.origin === harness.idp.issuer });
    const state = hops.at(-1)?.location?.searchParams.get('state') ?? '';
    const answer = await browser.request(`${PUBLIC_URL}/.tenet/callback?${new URLSearchParams({ error: 'access_denied', error_description: '<script>alert(1)</script>', state }).toString()}`);
    expectRefusedPage(answer, 400, /did not sign you in: access_denied/);
    expect(answer.body).not.toContain('<script>');
    expect(answer.body).toContain('&#60;script&#62;');
    expect(answer.body).toContain('Start again');
  });

  it('expires a login state after 10 minutes', async () => {
    const browser = harness.newBrowser();
    const { callback } = await loginUntilCallback(browser, `${PUBLIC_URL}/a`);
    const state = callback.searchParams.get('state') ?? '';
    const { sha256Hex } = await import('../../sessions/sessions.js');
    // The store is asked at the callback's time; eleven minutes later the state is gone.
    expect(await harness.store.sessions.takeLoginState(sha256Hex(state), new Date(Date.now() + 11 * 60_000).toISOString())).toBeUndefined();
  });
});

describe('step-up', () => {
  it('asks the provider for re-authentication and a phishing-resistant method', async () => {
    const browser = harness.newBrowser();
    const hops = await browser.follow(`${PUBLIC_URL}/.tenet/login?${new URLSearchParams({ rd: `${PUBLIC_URL}/`, step_up: '1', max_age: '0', phr: '1' }).toString()}`, {
      stopAt: (url) => url.origin === harness.idp.issuer,
    });
    const authorize = hops.at(-1)?.location;
    expect(authorize?.searchParams.get('max_age')).toBe('0');
    expect(authorize?.searchParams.get('prompt')).toBe('login');
    expect(authorize?.searchParams.get('acr_values')).toBe('phr');
  });

  it('accepts a step-up the new token meets (recent sign-in, phishing-resistant method)', async () => {
    const browser = harness.newBrowser();
    await harness.login(browser, `${PUBLIC_URL}/`);
    harness.idp.nextLogin = { accountId: 'alice', amr: ['hwk', 'user'], acr: 'phr' };
    try {
      const hops = await harness.login(browser, `${PUBLIC_URL}/admin`, { step_up: '1', max_age: '0', phr: '1' });
      expect(hops.at(-1)?.url.href).toBe(`${PUBLIC_URL}/admin`);
    } finally {
      harness.idp.nextLogin = { accountId: 'alice', amr: ['pwd'], acr: 'urn:test:pwd' };
    }
    const { session } = await whoami(browser, PUBLIC_URL);
    expect(session?.authn).toMatchObject({ methods: ['hwk', 'user'], phishingResistant: true, acr: 'phr' });
    expect(Date.parse(String(session?.authn.authenticatedAt))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses with 403 when the token\'s auth_time is older than max_age allows', async () => {
    const browser = harness.newBrowser();
    await harness.login(browser, `${PUBLIC_URL}/`);
    const before = browser.cookie('login.example.test', SESSION_COOKIE);
    const { callback } = await loginUntilCallback(browser, `${PUBLIC_URL}/admin`, { step_up: '1', max_age: '300' });
    // The provider reuses a sign-in from an hour ago (as a provider ignoring max_age would).
    harness.idp.tamperNextIdToken = async (idToken) => signedByProvider(harness.idp, { ...decodeJwt(idToken), auth_time: Math.floor(Date.now() / 1000) - 3600 });
    const answer = await browser.request(callback);
    expectRefusedPage(answer, 403, /needs a recent sign-in/);
    expect(answer.body).toContain('step_up=1');
    expect(answer.body).toContain('max_age=300');
    // the earlier, weaker session is left as it was; no new one was made
    expect(browser.cookie('login.example.test', SESSION_COOKIE)).toBe(before);
  });

  it('refuses with 403 when a phishing-resistant method was required but not used', async () => {
    const browser = harness.newBrowser();
    const { callback } = await loginUntilCallback(browser, `${PUBLIC_URL}/admin`, { step_up: '1', max_age: '0', phr: '1' });
    const answer = await browser.request(callback);
    expectRefusedPage(answer, 403, /phishing-resistant sign-in/);
  });

  it('refuses malformed step-up parameters', async () => {
    const answer = await harness.newBrowser().request(`${PUBLIC_URL}/.tenet/login?${new URLSearchParams({ rd: `${PUBLIC_URL}/`, step_up: '1', max_age: '-5' }).toString()}`);
    expectRefusedPage(answer, 400, /max_age must be a number/);
  });
});

describe('the login endpoints', () => {
  it('answer only their own paths and methods', async () => {
    const browser = harness.newBrowser();
    expect((await browser.request(`${APP_URL}/.tenet/loginx`)).status).toBe(404);
    const post = await browser.request(`${PUBLIC_URL}/.tenet/login?rd=${encodeURIComponent(`${PUBLIC_URL}/`)}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });

  it('send no-store and a script-free CSP on every page', async () => {
    const answer = await harness.newBrowser().request(`${PUBLIC_URL}/.tenet/logged-out`);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.body).toContain('You are signed out');
  });

  it('never log codes, states, cookies or tokens', () => {
    const logs = harness.logs.join('\n');
    expect(secrets.size).toBeGreaterThan(10);
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).toContain('"outcome":"login"');
  });
});
