// Logout against the real provider: the confirmation page (GET changes nothing), cross-site POSTs
// refused, RP-initiated logout through the provider's end_session_endpoint, the provider's own
// back-channel logout, and crafted logout tokens for each check of Back-Channel Logout 1.0 §2.6.
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hs256WithPublicKey, logoutTokenClaims, signedByImpostor, signedByProvider, unsigned } from './testing/craft-tokens.js';
import { APP_URL, PUBLIC_URL, SESSION_COOKIE, startLoginHarness, type LoginHarness } from './testing/login-harness.js';
import type { Exchange, TestBrowser } from './testing/test-browser.js';

let harness: LoginHarness;
beforeAll(async () => {
  harness = await startLoginHarness();
});
afterAll(async () => {
  await harness?.close();
});

interface SessionView {
  id: string;
  identity: { idpSessionId?: string; idpSubject: string };
}

async function sessionOn(browser: TestBrowser, base: string): Promise<SessionView | null> {
  const answer = await browser.request(`${base}/whoami`);
  return (JSON.parse(answer.body) as { session: SessionView | null }).session;
}

/** A browser logged in as `accountId` on both hosts (login host + app host via hand-off). */
async function loggedIn(accountId = 'alice'): Promise<TestBrowser> {
  const browser = harness.newBrowser();
  harness.idp.nextLogin = { accountId, amr: ['pwd'], acr: 'urn:test:pwd' };
  try {
    const hops = await harness.login(browser, `${APP_URL}/home`);
    expect(hops.at(-1)?.url.href).toBe(`${APP_URL}/home`);
    await harness.login(browser, `${PUBLIC_URL}/home`);
  } finally {
    harness.idp.nextLogin = { accountId: 'alice', amr: ['pwd'], acr: 'urn:test:pwd' };
  }
  expect(await sessionOn(browser, APP_URL)).not.toBeNull();
  expect(await sessionOn(browser, PUBLIC_URL)).not.toBeNull();
  return browser;
}

function postLogout(browser: TestBrowser, base: string, headers: Record<string, string>): Promise<Exchange> {
  return browser.request(`${base}/.tenet/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: '' });
}

describe('RP-initiated logout', () => {
  it('shows a confirmation page on GET and changes nothing', async () => {
    const browser = await loggedIn();
    const page = await browser.request(`${APP_URL}/.tenet/logout`);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<form method="post" action="/.tenet/logout">');
    expect(page.setCookies).toEqual([]);
    expect(await sessionOn(browser, APP_URL)).not.toBeNull();
  });

  const crossSite: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: same-site (a sibling host)', { 'sec-fetch-site': 'same-site', origin: 'https://other.example.test' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null', { origin: 'null' }],
    ['Origin of the other host of ours', { origin: PUBLIC_URL }],
    ['cross-site metadata with a matching Origin', { 'sec-fetch-site': 'cross-site', origin: APP_URL }],
    ['neither Sec-Fetch-Site nor Origin', {}],
  ];
  it.each(crossSite)('refuses a POST with %s (403, session kept)', async (_name, headers) => {
    const browser = await loggedIn();
    const answer = await postLogout(browser, APP_URL, headers);
    expect(answer.status).toBe(403);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.setCookies).toEqual([]);
    expect(await sessionOn(browser, APP_URL)).not.toBeNull();
    expect(await sessionOn(browser, PUBLIC_URL)).not.toBeNull();
  });

  it('ends the login on every host and goes through the provider\'s end_session_endpoint', async () => {
    const browser = await loggedIn();
    const answer = await postLogout(browser, APP_URL, { 'sec-fetch-site': 'same-origin', origin: APP_URL });
    expect(answer.status).toBe(303);
    expect(answer.setCookies).toContainEqual(expect.stringMatching(/^__Host-tenet_session=; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=0$/));
    const endSession = answer.location;
    expect(endSession?.origin).toBe(harness.idp.issuer);
    expect(endSession?.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/.tenet/logged-out`);
    expect(endSession?.searchParams.get('client_id')).toBe(harness.idp.clientId);
    expect(endSession?.searchParams.get('id_token_hint')).toMatch(/^ey/);
    // both hosts' sessions of this login are gone, server-side
    expect(browser.cookie('app.example.test', SESSION_COOKIE)).toBeUndefined();
    expect(await sessionOn(browser, PUBLIC_URL)).toBeNull();

    // at the provider: confirm, and come back to the signed-out page
    const confirm = await browser.request(endSession ?? '');
    expect(confirm.status).toBe(200);
    const done = await browser.submitForm(confirm, { logout: 'yes' });
    const hops = await browser.follow(done.location ?? '');
    expect(hops.at(-1)?.url.href).toBe(`${PUBLIC_URL}/.tenet/logged-out`);
    expect(hops.at(-1)?.body).toContain('You are signed out');
  });

  it('accepts a matching Origin from a browser without Fetch Metadata', async () => {
    const browser = await loggedIn();
    const answer = await postLogout(browser, PUBLIC_URL, { origin: PUBLIC_URL });
    expect(answer.status).toBe(303);
    expect(await sessionOn(browser, APP_URL)).toBeNull();
  });

  it('sends a browser without a session straight to the signed-out page', async () => {
    const answer = await postLogout(harness.newBrowser(), APP_URL, { 'sec-fetch-site': 'same-origin' });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/.tenet/logged-out');
  });
});

describe('back-channel logout', () => {
  const endpoint = `http://127.0.0.1:0/.tenet/backchannel-logout`; // host is irrelevant: the harness maps by port
  async function deliver(token: string, contentType = 'application/x-www-form-urlencoded'): Promise<Exchange> {
    const browser = harness.newBrowser();
    const url = new URL(endpoint);
    url.port = String(harness.proxyPort);
    return browser.request(url, { method: 'POST', headers: { 'content-type': contentType }, body: new URLSearchParams({ logout_token: token }).toString() });
  }
  const sign = (claims: JWTPayload) => signedByProvider(harness.idp, claims, { typ: 'logout+jwt' });

  it('is triggered by the provider itself and revokes the session it names (sid)', async () => {
    const browser = await loggedIn();
    const other = await loggedIn();
    // The user signs out at the provider directly (not through Tenet).
    const confirm = await browser.request(`${harness.idp.issuer}/session/end`);
    expect(confirm.status).toBe(200);
    const done = await browser.submitForm(confirm, { logout: 'yes' });
    expect(done.status).toBe(303);
    expect(await sessionOn(browser, APP_URL)).toBeNull();
    expect(await sessionOn(browser, PUBLIC_URL)).toBeNull();
    // another IdP session of the same user is not touched
    expect(await sessionOn(other, APP_URL)).not.toBeNull();
  });

  it('revokes by sub every session of the user, and nobody else\'s', async () => {
    const first = await loggedIn('alice');
    const second = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const answer = await deliver(await sign(logoutTokenClaims(harness.idp, { sub: 'alice' })));
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    for (const browser of [first, second]) {
      expect(await sessionOn(browser, APP_URL)).toBeNull();
      expect(await sessionOn(browser, PUBLIC_URL)).toBeNull();
    }
    expect(await sessionOn(bob, APP_URL)).not.toBeNull();
  });

  it('revokes by sid only that provider session', async () => {
    const first = await loggedIn('alice');
    const second = await loggedIn('alice');
    const sid = (await sessionOn(first, APP_URL))?.identity.idpSessionId;
    expect(sid).toEqual(expect.any(String));
    expect((await sessionOn(second, APP_URL))?.identity.idpSessionId).not.toBe(sid);
    const answer = await deliver(await sign(logoutTokenClaims(harness.idp, { sid })));
    expect(answer.status).toBe(200);
    expect(await sessionOn(first, APP_URL)).toBeNull();
    expect(await sessionOn(first, PUBLIC_URL)).toBeNull();
    expect(await sessionOn(second, APP_URL)).not.toBeNull();
  });

  it('refuses a replayed logout token (same jti)', async () => {
    const token = await sign(logoutTokenClaims(harness.idp, { sub: 'nobody' }));
    expect((await deliver(token)).status).toBe(200);
    const replay = await deliver(token);
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.body)).toEqual({ error: 'invalid_request', error_description: 'this logout token was already used (jti replay)' });
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const invalid: [string, () => Promise<string> | string, RegExp][] = [
    ['no events claim', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', events: undefined })), /events/],
    ['events without the back-channel member', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', events: { 'https://example/other': {} } })), /events claim has no/],
    ['events as an array', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', events: ['http://schemas.openid.net/event/backchannel-logout'] })), /JSON object/],
    ['a nonce', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', nonce: 'n' })), /nonce/],
    ['a wrong audience', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', aud: 'another-client' })), /aud claim check failed/],
    ['a bad signature', () => signedByImpostor(harness.idp, logoutTokenClaims(harness.idp, { sub: 'alice' })), /signature is invalid/],
    ['alg none', () => unsigned(logoutTokenClaims(harness.idp, { sub: 'alice' })), /not allowed/],
    ['HS256 keyed with the public key', () => hs256WithPublicKey(harness.idp, logoutTokenClaims(harness.idp, { sub: 'alice' })), /not allowed/],
    ['an unknown issuer', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', iss: 'https://evil.example' })), /not issued by a configured provider/],
    ['neither sub nor sid', () => sign(logoutTokenClaims(harness.idp)), /neither a subject/],
    ['no jti', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', jti: undefined })), /jti/],
    ['an old iat', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', iat: now() - 600, exp: now() + 60 })), /iat/],
    ['an iat in the future', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', iat: now() + 600, exp: now() + 900 })), /iat/],
    ['an expired token', () => sign(logoutTokenClaims(harness.idp, { sub: 'alice', exp: now() - 120 })), /expired/],
    ['an ID token typ', () => signedByProvider(harness.idp, logoutTokenClaims(harness.idp, { sub: 'alice' }), { typ: 'at+jwt' }), /not a logout token/],
  ];
  it.each(invalid)('refuses a logout token with %s (400, nothing revoked)', async (_name, make, problem) => {
    const browser = await loggedIn('alice');
    const answer = await deliver(await make());
    expect(answer.status).toBe(400);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(answer.body) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toMatch(problem);
    expect(await sessionOn(browser, APP_URL)).not.toBeNull();
  });

  it('refuses other media types, missing or repeated tokens, and GET', async () => {
    const token = await sign(logoutTokenClaims(harness.idp, { sub: 'alice' }));
    expect((await deliver(token, 'application/json')).status).toBe(400);
    const url = new URL(endpoint);
    url.port = String(harness.proxyPort);
    const browser = harness.newBrowser();
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect((await browser.request(url, { ...form, body: '' })).status).toBe(400);
    expect((await browser.request(url, { ...form, body: `logout_token=${token}&logout_token=${token}` })).status).toBe(400);
    expect((await browser.request(url, { ...form, body: `logout_token=${'a'.repeat(70_000)}` })).status).toBe(400);
    expect((await browser.request(url)).status).toBe(405);
  });
});
