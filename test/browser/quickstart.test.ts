// The quickstart as a person uses it, in a real browser (Debian Chromium via playwright-core): the
// development IdP's login page, Tenet's identity-aware proxy with its self-signed certificate and
// login endpoints, and the example app that believes only Tenet's signed assertion. Nothing is
// faked: the stack is test/support/stack.ts (the same pieces `npm start` runs), on free ports.
// One browser for the file, a fresh context (a clean profile) per test.
import { setTimeout as delay } from 'node:timers/promises';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Browser, BrowserContext, Cookie, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CALLBACK_PATH } from '../../src/enforcement/authenticate/index.js';
import { RPC_CODE } from '../../src/enforcement/ext-authz/index.js';
import { startStack, type RunningStack } from '../support/stack.js';
import { chromiumUnavailable, launchChromium, newContext, type ContextOptions } from './support/chromium.js';
import { envoyCheck, extAuthzClient, responseHeaders } from './support/ext-authz-client.js';
import { appIdentity, backOnProxy, onIdpLoginForm, signInAtIdp, submitIdpLogin, type StackUrls } from './support/idp-sign-in.js';

const SESSION_COOKIE = '__Host-tenet_session';
const BOB = { username: 'bob', password: 'bob-pw' } as const;
const MALLORY = { username: 'mallory', password: 'mallory-pw' } as const;
const ALICE = { username: 'alice', password: 'alice-pw' } as const;


/** A record of GET /admin/v1/decisions, as far as these tests read it. */
interface LoggedDecision {
  readonly decision_id: string;
  readonly outcome: string;
  readonly subject: string;
  readonly resource: string;
  readonly caller?: string;
  readonly body: { readonly decision: { readonly reasons: readonly { readonly code: string; readonly effect?: string; readonly detail?: string }[] } };
}

interface Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every URL the page navigated to (redirect hops included), in order. */
  readonly visited: string[];
}

/** The response to the next request for `url` (awaited later; a failure before then is the test's, not an unhandled rejection). */
function finalAnswer(page: Page, url: string): Promise<Response> {
  const answer = page.waitForResponse((response) => response.url() === url);
  answer.catch(() => undefined);
  return answer;
}

function sessionCookies(cookies: readonly Cookie[]): Cookie[] {
  return cookies.filter((cookie) => cookie.name === SESSION_COOKIE);
}

async function onlySessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookies = sessionCookies(await context.cookies());
  expect(cookies).toHaveLength(1);
  return cookies[0] as Cookie;
}

describe.skipIf(chromiumUnavailable)('the quickstart in a real browser', () => {
  let stack: RunningStack;
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([startStack({ extAuthzGrpc: true }), launchChromium()]);
    if (started.status === 'fulfilled') stack = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  afterEach(async () => {
    for (const context of contexts) await context.close();
    contexts = [];
  });

  async function newTab(options: ContextOptions = {}): Promise<Tab> {
    const context = await newContext(browser, options);
    contexts.push(context);
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) visited.push(request.url());
    });
    return { context, page, visited };
  }

  /** A tab where `credentials` signed in from the app's front page. */
  async function signedIn(credentials: { username: string; password: string }, urls: StackUrls = stack, options: ContextOptions = {}): Promise<Tab> {
    const tab = await newTab(options);
    await tab.page.goto(`${urls.publicUrl}/`);
    await signInAtIdp(tab.page, urls, credentials);
    return tab;
  }

  describe('signing in', () => {
    it('bob: the app page shows who the app verified from the assertion; the session cookie is a host-only __Host- cookie', async () => {
      const { context, page, visited } = await newTab();
      await page.goto(`${stack.publicUrl}/`);
      expect(await onIdpLoginForm(page, stack)).toBe(true);
      // Tenet sent the browser to its login endpoint, which started an authorization code flow at the IdP.
      expect(visited[1]).toBe(`${stack.publicUrl}/.tenet/login?rd=${encodeURIComponent(`${stack.publicUrl}/`)}`);
      const authorization = new URL(visited.find((url) => url.startsWith(`${stack.idpUrl}/auth`)) ?? 'about:blank');
      expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorization.searchParams.get('redirect_uri')).toBe(`${stack.publicUrl}/.tenet/callback`);

      await signInAtIdp(page, stack, BOB);
      expect(page.url()).toBe(`${stack.publicUrl}/`);
      expect(await page.textContent('h1')).toBe('Hello Bob Baker');
      const identity = await appIdentity(page);
      expect(identity).toMatchObject({ 'subject (sub)': 'User::"bob"', email: 'bob@example.com', groups: 'employees', request: 'GET /' });
      expect(identity['decision id']).toMatch(/^\S{8,}$/);

      // The claims the app verified (signature, issuer, audience, lifetime), as JSON.
      await page.goto(`${stack.publicUrl}/api/whoami`);
      const claims = JSON.parse((await page.textContent('body')) ?? '{}') as Record<string, unknown>;
      expect(claims).toMatchObject({ iss: stack.publicUrl, aud: 'hello', sub: 'User::"bob"', email: 'bob@example.com', groups: ['employees'] });

      const cookie = await onlySessionCookie(context);
      // No Domain attribute: the cookie is host-only, so its domain is exactly the host (no leading dot).
      expect(cookie).toMatchObject({ name: SESSION_COOKIE, domain: 'localhost', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.expires * 1000).toBeGreaterThan(Date.now());
      // The login-binding cookie did its job at the callback and is gone.
      expect((await context.cookies()).map((one) => one.name)).not.toContain('__Host-tenet_login');
    });

    it('mallory: 403 "Access denied" with a reason and the decision id, which the decision log holds as a deny', async () => {
      const { page } = await newTab();
      await page.goto(`${stack.publicUrl}/`);
      const answer = finalAnswer(page, `${stack.publicUrl}/`);
      await signInAtIdp(page, stack, MALLORY);
      expect((await answer).status()).toBe(403);
      expect(await page.textContent('h1')).toBe('Access denied');
      const reasons = await page.$$eval('li', (items) => items.map((item) => item.textContent?.trim() ?? ''));
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons.every((reason) => reason.length > 0)).toBe(true);
      const decisionId = (await page.textContent('p:has-text("Decision id") code')) ?? '';
      expect(decisionId).not.toBe('');

      const response = await fetch(`${stack.apiUrl}/admin/v1/decisions?outcome=deny&limit=1000`);
      expect(response.status).toBe(200);
      const { records } = (await response.json()) as { records: LoggedDecision[] };
      const record = records.find((one) => one.decision_id === decisionId);
      expect(record).toMatchObject({ outcome: 'deny', subject: 'User::"mallory"', resource: 'App::"hello"', caller: 'hello' });
      // The page names exactly the deny reasons the log recorded.
      const logged = (record?.body.decision.reasons ?? []).filter((reason) => reason.effect === 'deny').map((reason) => (reason.detail === undefined ? reason.code : `${reason.code}: ${reason.detail}`));
      expect(await page.$$eval('li code', (codes) => codes.map((code) => code.textContent ?? ''))).toEqual(logged);
    });
  });

  it('logout: confirm at Tenet, confirm at the IdP, signed out everywhere — the next visit asks for the password again', async () => {
    const { context, page } = await signedIn(BOB);
    const cookie = await onlySessionCookie(context);
    const whoami = (value: string) => context.request.get(`${stack.publicUrl}/api/whoami`, { headers: { cookie: `${SESSION_COOKIE}=${value}`, accept: 'application/json' }, maxRedirects: 0 });
    expect((await whoami(cookie.value)).status()).toBe(200);

    await page.goto(`${stack.publicUrl}/.tenet/logout`);
    expect(await page.textContent('h1')).toBe('Sign out');
    await page.click('form[action="/.tenet/logout"] button[type="submit"]');
    // RP-initiated logout: the IdP confirms too (its own anti-CSRF form).
    await page.waitForURL((url) => url.origin === stack.idpUrl);
    await page.click('button[name="logout"][value="yes"]');
    await page.waitForURL(`${stack.publicUrl}/.tenet/logged-out`);
    expect(await page.textContent('h1')).toBe('You are signed out');

    expect(sessionCookies(await context.cookies())).toEqual([]);
    // Ended on the server, not just forgotten by the browser: the old cookie is refused.
    expect((await whoami(cookie.value)).status()).toBe(401);
    // The IdP's session ended as well, so it asks for the password again.
    await page.goto(`${stack.publicUrl}/`);
    expect(await onIdpLoginForm(page, stack)).toBe(true);
  });

  describe('step-up', () => {
    it('alice at /payroll is denied: payroll needs a managed, compliant device, which no authentication can replace', async () => {
      const { page, visited } = await newTab();
      await page.goto(`${stack.publicUrl}/payroll`);
      const answer = finalAnswer(page, `${stack.publicUrl}/payroll`);
      await signInAtIdp(page, stack, ALICE);
      expect((await answer).status()).toBe(403);
      expect(await page.textContent('h1')).toBe('Access denied');
      // Denied outright: Tenet did not offer a step-up (that would have gone to the login endpoint with step_up=1).
      expect(visited.filter((url) => url.includes('step_up='))).toEqual([]);
      // The guardrail `payroll-needs-fresh-posture` forbids it: a browser presents no device, so
      // there is no posture at all, and no sign-in (a security key included) changes that.
      expect(await page.$$eval('li code', (codes) => codes.map((code) => code.textContent ?? ''))).toContain('policy-forbid');
      expect(await page.textContent('body')).toContain('payroll-needs-fresh-posture');
    });

    // The quickstart's /admin route is App::"hello-admin" with GET → administer, decided by
    // `admins-administer` (phishing-resistant authentication at most an hour old).
    it('alice at /admin (phishing-resistant authentication required) is sent back to the IdP, ticks "security key", and gets in', async () => {
      const tab = await signedIn(ALICE);
      const { page, visited } = tab;
      expect(await page.textContent('h1')).toBe('Hello Alice Anderson');
      const firstCookie = await onlySessionCookie(tab.context);
      visited.length = 0;

      await page.goto(`${stack.publicUrl}/admin`);
      // Tenet asked for a step-up, and the IdP — although alice has a session there — shows its login page again.
      const stepUp = new URL(visited.find((url) => url.startsWith(`${stack.publicUrl}/.tenet/login?`)) ?? 'about:blank');
      expect(Object.fromEntries(stepUp.searchParams)).toMatchObject({ rd: `${stack.publicUrl}/admin`, provider: 'dev', step_up: '1', phr: '1' });
      const authorization = new URL(visited.find((url) => url.startsWith(`${stack.idpUrl}/auth`)) ?? 'about:blank');
      expect(authorization.searchParams.get('acr_values')).toBe('phr');
      expect(authorization.searchParams.get('max_age')).toBe(stepUp.searchParams.get('max_age'));
      expect(Number(authorization.searchParams.get('max_age'))).toBeGreaterThan(0);
      expect(await onIdpLoginForm(page, stack)).toBe(true);
      expect(await page.textContent('main')).toContain('phishing-resistant');
      expect(await page.isChecked('input[name="securityKey"]')).toBe(true);

      // A password alone again: the IdP reports acr "pwd" (acr_values is a request, not a promise),
      // and Tenet's callback refuses the step-up instead of starting a session.
      await submitIdpLogin(page, stack, ALICE);
      await page.waitForURL((url) => url.origin === stack.publicUrl && url.pathname === CALLBACK_PATH);
      expect(await page.textContent('h1')).toBe('Stronger sign-in needed');
      expect(await page.textContent('body')).toContain('phishing-resistant');
      expect((await onlySessionCookie(tab.context)).value).toBe(firstCookie.value);

      await page.click('a:has-text("Sign in again with a stronger method")');
      await signInAtIdp(page, stack, { ...ALICE, securityKey: true });
      expect(page.url()).toBe(`${stack.publicUrl}/admin`);
      expect(await page.textContent('h1')).toBe('Hello Alice Anderson');
      expect(await appIdentity(page)).toMatchObject({ 'subject (sub)': 'User::"alice"', request: 'GET /admin' });
      // A new login is a new session (rotation).
      expect((await onlySessionCookie(tab.context)).value).not.toBe(firstCookie.value);
    });
  });

  it('WebSocket: the page echoes through the proxy with its session; without one the upgrade is refused', async () => {
    const url = `wss://${stack.publicHost}/ws`;
    // The example app's pages allow no connections (CSP default-src 'none'; they have no script):
    // the test's own script in the page needs the CSP bypassed, the proxy is what is under test.
    const { page } = await signedIn(BOB, stack, { bypassCSP: true });
    expect(await page.evaluate(webSocketEcho(url, 'hello through Tenet'))).toBe('echo hello through Tenet');

    // A page of the same origin that needs no session (a fresh profile has none).
    const anonymous = await newTab({ bypassCSP: true });
    await anonymous.page.goto(`${stack.publicUrl}/.tenet/logged-out`);
    expect(await anonymous.page.evaluate(webSocketEcho(url, 'anyone there?'))).toBe('closed 1006');
    // What the browser does not show: the proxy's answer to the upgrade.
    expect(await upgradeStatus(url)).toBe(401);
  });

  it('ext_authz over gRPC: the browser\'s session cookie gets OK with Tenet\'s assertion; no cookie gets UNAUTHENTICATED', async () => {
    const { context } = await signedIn(BOB);
    const cookie = await onlySessionCookie(context);
    const jwks = (await (await context.request.get(`${stack.publicUrl}/.tenet/jwks.json`)).json()) as JSONWebKeySet;
    const grpcPort = stack.grpcPort;
    if (grpcPort === undefined) throw new Error('the stack was started without ext_authz gRPC');
    const client = extAuthzClient(grpcPort);
    try {
      const allowed = await client.check(envoyCheck(stack.publicHost, '/api/whoami', { cookie: `${SESSION_COOKIE}=${cookie.value}`, accept: 'application/json', 'x-forwarded-user': 'root' }));
      expect(allowed.status.code).toBe(RPC_CODE.OK);
      const headers = responseHeaders(allowed, 'ok_response');
      const { payload } = await jwtVerify(headers['x-tenet-assertion'] ?? '', createLocalJWKSet(jwks), { issuer: stack.publicUrl, audience: 'hello', algorithms: ['ES256'] });
      expect(payload).toMatchObject({ sub: 'User::"bob"', email: 'bob@example.com', groups: ['employees'] });
      expect(headers['x-tenet-email']).toBe('bob@example.com');
      expect(allowed.ok_response?.headers_to_remove).toContain('x-forwarded-user');

      const api = await client.check(envoyCheck(stack.publicHost, '/api/whoami', { accept: 'application/json' }));
      expect(api.status.code).toBe(RPC_CODE.UNAUTHENTICATED);
      expect(api.denied_response?.status.code).toBe(401);
      const page = await client.check(envoyCheck(stack.publicHost, '/', { accept: 'text/html' }));
      expect(page.status.code).toBe(RPC_CODE.UNAUTHENTICATED);
      expect(page.denied_response?.status.code).toBe(302);
      expect(responseHeaders(page, 'denied_response')['location']).toBe(`${stack.publicUrl}/.tenet/login?rd=${encodeURIComponent(`${stack.publicUrl}/`)}`);
    } finally {
      client.close();
    }
  });

  describe('an idle session expires', () => {
    let short: RunningStack;

    beforeAll(async () => {
      short = await startStack({ idleTimeout: '2s' });
    });

    afterAll(async () => {
      await short?.stop();
    });

    it('with idleTimeout 2s, the visit after 3 s of silence goes through login again', async () => {
      const { context, page, visited } = await signedIn(BOB, short);
      expect(await page.textContent('h1')).toBe('Hello Bob Baker');
      const first = await onlySessionCookie(context);

      // The only wait in this file: idle expiry is measured in wall-clock time.
      await delay(3000);
      visited.length = 0;
      await page.goto(`${short.publicUrl}/`);
      await backOnProxy(page, short);
      expect(visited[1]).toBe(`${short.publicUrl}/.tenet/login?rd=${encodeURIComponent(`${short.publicUrl}/`)}`);
      expect(visited.some((url) => url.startsWith(`${short.idpUrl}/auth`))).toBe(true);
      // The IdP's own session (hours) still stands, so it signed bob in again without a form: a new Tenet session.
      expect(await page.textContent('h1')).toBe('Hello Bob Baker');
      expect((await onlySessionCookie(context)).value).not.toBe(first.value);
    });
  });
});

/**
 * A script for the page (a string: it runs in the browser, not here): opens a WebSocket to `url`,
 * sends `message`, and resolves with "echo <reply>", or "closed <code>" when the socket closes first.
 */
function webSocketEcho(url: string, message: string): string {
  return `new Promise((resolve) => {
    const socket = new WebSocket(${JSON.stringify(url)});
    socket.onopen = () => socket.send(${JSON.stringify(message)});
    socket.onmessage = (event) => { resolve('echo ' + String(event.data)); socket.close(); };
    socket.onclose = (event) => resolve('closed ' + event.code);
    // A hang guard: a socket that neither answers nor closes fails the test with this instead of its timeout.
    setTimeout(() => resolve('no answer after 10 s'), 10000);
  })`;
}

/** The HTTP status the proxy answers a WebSocket upgrade without a session with. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { rejectUnauthorized: false });
    socket.on('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('the upgrade without a session was accepted'));
    });
    socket.on('error', (error) => reject(error));
  });
}
