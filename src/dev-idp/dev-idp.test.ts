// The development IdP end to end over real HTTP on loopback: openid-client 6 is the relying party
// (discovery, PKCE, token exchange, nonce and state checks), a cookie-jar HTTP client is the
// browser, jose checks signatures against the published JWKS, and a real HTTP server receives the
// back-channel logout tokens.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isTenetError } from '../errors.js';
import { startDevIdp, type RunningDevIdp } from './dev-idp.js';
import { BANNER_TEXT } from './pages.js';
import { formAction, hiddenInputs, HttpBrowser } from './testing/http-browser.js';
import { signInAtDevIdp } from './testing/sign-in.js';
import type { DevUser } from './users-file.js';

const RP = 'https://rp.test';
const REDIRECT_URI = `${RP}/callback`;
const POST_LOGOUT_URI = `${RP}/logged-out`;
const SECRET = 'a-test-client-secret-0123456789';
const isRp = (location: URL) => location.origin === RP;

const USERS: DevUser[] = [
  { username: 'alice', password: 'alice-pw', sub: 'alice', email: 'alice@example.com', name: 'Alice Anderson', groups: ['employees', 'admins'], amr: ['pwd', 'hwk'] },
  { username: 'bob', password: 'bob-pw', sub: 'bob', email: 'bob@example.com', name: 'Bob Baker', groups: ['employees', 'finance'], amr: ['pwd'] },
];

let idp: RunningDevIdp;
let config: client.Configuration;
let backchannel: Server;
const logoutTokens: string[] = [];

beforeAll(async () => {
  backchannel = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (req.url === '/backchannel' && token !== null) logoutTokens.push(token);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => backchannel.listen(0, '127.0.0.1', resolve));
  const backchannelUri = `http://127.0.0.1:${(backchannel.address() as AddressInfo).port}/backchannel`;
  idp = await startDevIdp({
    port: 0,
    logger: pino({ level: 'silent' }),
    users: USERS,
    clients: [
      {
        clientId: 'tenet',
        clientSecret: SECRET,
        redirectUris: [REDIRECT_URI],
        postLogoutRedirectUris: [POST_LOGOUT_URI],
        backchannelLogoutUri: backchannelUri,
        tokenEndpointAuthMethod: 'client_secret_basic',
      },
    ],
  });
  config = await client.discovery(new URL(idp.issuer), 'tenet', SECRET, client.ClientSecretBasic(SECRET), { execute: [client.allowInsecureRequests] });
});

afterAll(async () => {
  await idp?.stop();
  await new Promise<void>((resolve) => (backchannel ? backchannel.close(() => resolve()) : resolve()));
});

interface AuthorizationRequest {
  readonly url: string;
  readonly verifier: string;
  readonly nonce: string;
  readonly state: string;
}

async function authorizationRequest(extra: Record<string, string> = {}): Promise<AuthorizationRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile groups',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  return { url: url.href, verifier, nonce, state };
}

async function exchange(callback: URL, request: AuthorizationRequest) {
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedNonce: request.nonce, expectedState: request.state });
  const claims = tokens.claims();
  if (tokens.id_token === undefined || claims === undefined) throw new Error('no ID token');
  return { idToken: tokens.id_token, claims };
}

async function logIn(browser: HttpBrowser, username: string, password: string, extra: Record<string, string> = {}, securityKey = false) {
  const request = await authorizationRequest(extra);
  const callback = await signInAtDevIdp(browser, request.url, { username, password, securityKey }, isRp);
  return exchange(callback, request);
}

function jwks() {
  return createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
}

describe('tenet dev-idp', () => {
  it('publishes discovery and a public RS256 JWKS for code + PKCE (S256), groups, acr and back-channel logout', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(idp.issuer);
    expect(metadata).toMatchObject({
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      acr_values_supported: ['pwd', 'phr'],
      id_token_signing_alg_values_supported: ['RS256'],
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      end_session_endpoint: `${idp.issuer}/session/end`,
    });
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'groups']));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'email', 'name', 'preferred_username', 'groups', 'acr', 'amr', 'sid']));
    const keys = ((await (await fetch(metadata.jwks_uri ?? '')).json()) as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    // Only the public half is published.
    for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(privateMember);
  });

  it('shows a plain login page with the banner, then logs in with code + PKCE: signed ID token with email, name, groups, amr, acr, nonce and sid', async () => {
    const browser = new HttpBrowser();
    const request = await authorizationRequest();
    const { page } = await browser.navigate(request.url, {}, isRp);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.body).toContain(BANNER_TEXT);
    expect(page.body).toMatch(/name="username"[^>]*autofocus/);
    expect(formAction(page.body)).toMatch(/^\/interaction\/[A-Za-z0-9_-]+$/);

    const action = new URL(formAction(page.body), page.url).href;
    const done = await browser.navigate(action, { form: { username: 'alice', password: 'alice-pw' } }, isRp);
    expect(done.stoppedAt?.searchParams.get('state')).toBe(request.state);
    const { idToken, claims } = await exchange(done.stoppedAt ?? new URL(RP), request);

    expect(decodeProtectedHeader(idToken)).toMatchObject({ alg: 'RS256' });
    const { payload } = await jwtVerify(idToken, jwks(), { issuer: idp.issuer, audience: 'tenet', algorithms: ['RS256'] });
    expect(payload).toMatchObject({
      sub: 'alice',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Anderson',
      preferred_username: 'alice',
      groups: ['employees', 'admins'],
      amr: ['pwd'],
      acr: 'pwd',
      nonce: request.nonce,
    });
    expect(typeof payload.sid).toBe('string');
    expect(typeof payload.auth_time).toBe('number');
    expect(claims.sub).toBe('alice');
  });

  it('shows the form again after a wrong password, with the error and the typed username escaped', async () => {
    const browser = new HttpBrowser();
    const request = await authorizationRequest();
    const { page } = await browser.navigate(request.url, {}, isRp);
    const action = new URL(formAction(page.body), page.url).href;

    const wrong = await browser.request(action, { form: { username: '<script>alert(1)</script>', password: 'nope' } });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toContain('Wrong username or password.');
    expect(wrong.body).toContain(BANNER_TEXT);
    expect(wrong.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(wrong.body).not.toContain('<script>');
    // With a username filled in, the password field takes the focus.
    expect(wrong.body).toMatch(/name="password"[^>]*autofocus/);

    const wrongPassword = await browser.request(action, { form: { username: 'alice', password: 'bob-pw' } });
    expect(wrongPassword.body).toContain('Wrong username or password.');

    const right = await browser.navigate(action, { form: { username: 'alice', password: 'alice-pw' } }, isRp);
    expect(right.stoppedAt?.searchParams.get('code')).toBeTruthy();
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 'no-pkce', nonce: 'n' });
    const { stoppedAt } = await new HttpBrowser().navigate(url.href, {}, isRp);
    expect(stoppedAt?.searchParams.get('error')).toBe('invalid_request');
    expect(stoppedAt?.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('signs in silently while the session lasts, and asks for the password again for max_age=0 or prompt=login', async () => {
    const browser = new HttpBrowser();
    const first = await logIn(browser, 'bob', 'bob-pw');

    // A max_age the session is younger than is met without a form.
    for (const extra of [{}, { max_age: '3600' }]) {
      const silent = await authorizationRequest(extra);
      const sso = await browser.navigate(silent.url, {}, isRp);
      expect(sso.stoppedAt?.searchParams.get('code'), `no login form while the IdP session lasts (${JSON.stringify(extra)})`).toBeTruthy();
      const ssoClaims = (await exchange(sso.stoppedAt ?? new URL(RP), silent)).claims;
      expect(ssoClaims.auth_time).toBe(first.claims.auth_time);
    }

    // Claims follow the scopes: profile alone brings name and groups, not email.
    const profileOnly = await authorizationRequest({ scope: 'openid profile' });
    const profileCallback = (await browser.navigate(profileOnly.url, {}, isRp)).stoppedAt ?? new URL(RP);
    const { claims: profileClaims } = await exchange(profileCallback, profileOnly);
    expect(profileClaims).toMatchObject({ sub: 'bob', name: 'Bob Baker', groups: ['employees', 'finance'] });
    expect(profileClaims).not.toHaveProperty('email');

    // max_age=0 means "authenticate now", like prompt=login (OIDC Core §3.1.2.1).
    for (const extra of [{ max_age: '0' }, { prompt: 'login' }]) {
      const request = await authorizationRequest(extra);
      const again = await browser.navigate(request.url, {}, isRp);
      expect(again.stoppedAt, JSON.stringify(extra)).toBeUndefined();
      expect(again.page.body).toContain('name="password"');
      expect(again.page.body).toContain('sign in again');
      const callback = await browser.navigate(new URL(formAction(again.page.body), again.page.url).href, { form: { username: 'bob', password: 'bob-pw' } }, isRp);
      const { claims } = await exchange(callback.stoppedAt ?? new URL(RP), request);
      expect(claims.sub).toBe('bob');
      expect(Number(claims.auth_time)).toBeGreaterThanOrEqual(Number(first.claims.auth_time));
    }
  });

  it('asks for the password again when the session is older than max_age', async () => {
    const browser = new HttpBrowser();
    const first = await logIn(browser, 'bob', 'bob-pw');
    // Two minutes later, by the clock oidc-provider reads (Date only; nothing waits).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    try {
      const request = await authorizationRequest({ max_age: '60' });
      const { page, stoppedAt } = await browser.navigate(request.url, {}, isRp);
      expect(stoppedAt).toBeUndefined();
      expect(page.body).toContain('recent sign-in (max_age)');
      const done = await browser.navigate(new URL(formAction(page.body), page.url).href, { form: { username: 'bob', password: 'bob-pw' } }, isRp);
      const { claims } = await exchange(done.stoppedAt ?? new URL(RP), request);
      expect(Number(claims.auth_time)).toBeGreaterThanOrEqual(Number(first.claims.auth_time) + 120);
    } finally {
      vi.useRealTimers();
    }
  });

  it('asks again when acr_values=phr is not met, reports acr phr + amr hwk after the security key, and refuses the key to a user without one', async () => {
    const browser = new HttpBrowser();
    await logIn(browser, 'alice', 'alice-pw');
    const request = await authorizationRequest({ acr_values: 'phr' });
    const { page, stoppedAt } = await browser.navigate(request.url, {}, isRp);
    expect(stoppedAt, 'a password-only session does not satisfy phr').toBeUndefined();
    expect(page.body).toMatch(/name="securityKey" value="yes" checked/);
    expect(page.body).toContain('phishing-resistant');
    const done = await browser.navigate(new URL(formAction(page.body), page.url).href, { form: { username: 'alice', password: 'alice-pw', securityKey: 'yes' } }, isRp);
    const { claims } = await exchange(done.stoppedAt ?? new URL(RP), request);
    expect(claims).toMatchObject({ sub: 'alice', acr: 'phr', amr: ['hwk', 'pwd'] });

    // Now the session is at phr: another phr request is answered without a form.
    const again = await authorizationRequest({ acr_values: 'phr' });
    expect((await browser.navigate(again.url, {}, isRp)).stoppedAt?.searchParams.get('code')).toBeTruthy();

    const bob = new HttpBrowser();
    const bobRequest = await authorizationRequest({ acr_values: 'phr' });
    const form = await bob.navigate(bobRequest.url, {}, isRp);
    const refused = await bob.request(new URL(formAction(form.page.body), form.page.url).href, { form: { username: 'bob', password: 'bob-pw', securityKey: 'yes' } });
    expect(refused.status).toBe(200);
    expect(refused.body).toContain('bob has no security key');
  });

  it('logs out at end_session after a confirmation, and posts a signed back-channel logout token naming the sub and sid', async () => {
    const browser = new HttpBrowser();
    const { idToken } = await logIn(browser, 'alice', 'alice-pw');
    const { payload: idClaims } = await jwtVerify(idToken, jwks(), { issuer: idp.issuer, audience: 'tenet' });
    const before = logoutTokens.length;

    const endSession = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye' });
    const confirm = await browser.navigate(endSession.href, {}, isRp);
    expect(confirm.page.status).toBe(200);
    expect(confirm.page.body).toContain(BANNER_TEXT);
    const fields = hiddenInputs(confirm.page.body);
    expect(fields.xsrf).toBeTruthy();

    // Without the page's anti-CSRF secret nothing happens.
    const forged = await browser.navigate(new URL(formAction(confirm.page.body), confirm.page.url).href, { form: { xsrf: 'forged', logout: 'yes' } }, isRp);
    expect(forged.stoppedAt).toBeUndefined();
    expect(forged.page.status).toBe(400);
    expect(logoutTokens.length).toBe(before);

    const confirmAgain = await browser.navigate(endSession.href, {}, isRp);
    const done = await browser.navigate(
      new URL(formAction(confirmAgain.page.body), confirmAgain.page.url).href,
      { form: { ...hiddenInputs(confirmAgain.page.body), logout: 'yes' } },
      isRp,
    );
    expect(done.stoppedAt?.origin + (done.stoppedAt?.pathname ?? '')).toBe(POST_LOGOUT_URI);
    expect(done.stoppedAt?.searchParams.get('state')).toBe('bye');

    expect(logoutTokens.length).toBe(before + 1);
    const logoutToken = logoutTokens.at(-1) ?? '';
    const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks(), { issuer: idp.issuer, audience: 'tenet', typ: 'logout+jwt' });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe('alice');
    expect(payload.sid).toBe(idClaims.sid);
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload).not.toHaveProperty('nonce');

    // The IdP session is gone: the next request shows the login form.
    const next = await browser.navigate((await authorizationRequest()).url, {}, isRp);
    expect(next.stoppedAt).toBeUndefined();
    expect(next.page.body).toContain('name="password"');
  });

  it('refuses a login form posted from another site, and requests addressed to another host name', async () => {
    const browser = new HttpBrowser();
    const { page } = await browser.navigate((await authorizationRequest()).url, {}, isRp);
    const action = new URL(formAction(page.body), page.url).href;
    const crossSite = await browser.request(action, { form: { username: 'alice', password: 'alice-pw' }, headers: { origin: 'https://evil.test' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('posted from another site');

    const port = new URL(idp.url).port;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/.well-known/openid-configuration', headers: { host: `rebound.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });

  it('refuses to listen on a non-loopback address unless allowRemote is set', async () => {
    const error = await startDevIdp({ host: '0.0.0.0', port: 0, logger: pino({ level: 'silent' }), users: USERS, clients: [] }).catch((caught: unknown) => caught);
    expect(isTenetError(error) && error.code).toBe('TENET_ERR_CONFIG_INVALID');
    expect((error as Error).message).toContain('not a loopback address');
    const noIssuer = await startDevIdp({ host: '0.0.0.0', port: 0, allowRemote: true, logger: pino({ level: 'silent' }), users: USERS, clients: [] }).catch((caught: unknown) => caught);
    expect((noIssuer as Error).message).toContain('needs an explicit issuer');
  });
});
