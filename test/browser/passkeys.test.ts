// Passkeys in a real browser: Debian Chromium (playwright-core) with a CDP virtual authenticator
// (a CTAP2 platform authenticator with a resident key and user verification, as a laptop's
// built-in one), through the whole quickstart stack. alice signs in with a password at the dev IdP,
// registers a passkey at /.tenet/passkeys, and the quickstart's /admin route — which needs
// phishing-resistant authentication — then steps her up with the passkey instead of the IdP. The
// attacks a passkey flow must withstand are played against the same real endpoints: a cross-origin
// registration, a replayed assertion, a removed passkey.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../support/stack.js';
import { chromiumUnavailable, launchChromium, newContext } from './support/chromium.js';
import { appIdentity, onIdpLoginForm, signInAtIdp } from './support/idp-sign-in.js';

const ALICE = { username: 'alice', password: 'alice-pw' } as const;
const ALICE_PRINCIPAL = { type: 'User', id: 'alice' } as const;

interface Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
  /** Every URL the page navigated to (redirect hops included), in order. */
  readonly visited: string[];
}

/** A record of GET /admin/v1/decisions, as far as these tests read it. */
interface LoggedDecision {
  readonly decision_id: string;
  readonly outcome: string;
  readonly body: { readonly request: { readonly authn?: { readonly methods: string[]; readonly phishingResistant: boolean; readonly authenticatedAt?: string } } };
}

/** What an in-page fetch answered. */
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

describe.skipIf(chromiumUnavailable)('passkeys in a real browser', () => {
  let stack: RunningStack;
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([startStack(), launchChromium()]);
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
    // One stack for the file: each test starts with alice owning no passkeys.
    const passkeys = stack.tenet.runtime.store.passkeys;
    for (const passkey of await passkeys.listFor(ALICE_PRINCIPAL)) await passkeys.remove(ALICE_PRINCIPAL, passkey.id);
  });

  /** A clean profile whose page has a virtual platform authenticator (WebAuthn domain of the Chrome DevTools Protocol). */
  async function newTab(): Promise<Tab> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    const visited: string[] = [];
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) visited.push(request.url());
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { context, page, cdp, authenticatorId, visited };
  }

  /** alice, signed in with her password only, on the app's front page. */
  async function aliceSignedIn(): Promise<Tab> {
    const tab = await newTab();
    await tab.page.goto(`${stack.publicUrl}/`);
    await signInAtIdp(tab.page, stack, ALICE);
    expect(await tab.page.textContent('h1')).toBe('Hello Alice Anderson');
    return tab;
  }

  /** Registers a passkey named `name` on /.tenet/passkeys through the page's button; returns its credential id. */
  async function registerPasskey(tab: Tab, name: string): Promise<string> {
    await tab.page.goto(`${stack.publicUrl}/.tenet/passkeys`);
    expect(await tab.page.textContent('h1')).toBe('Your passkeys');
    await tab.page.fill('#register input[name="name"]', name);
    await tab.page.click('#register button[type="submit"]');
    await tab.page.waitForSelector('tr[data-passkey]');
    const row = tab.page.locator('tr[data-passkey]');
    expect(await row.count()).toBe(1);
    return (await row.getAttribute('data-passkey')) ?? '';
  }

  async function loggedDecision(decisionId: string): Promise<LoggedDecision | undefined> {
    const response = await fetch(`${stack.apiUrl}/admin/v1/decisions?limit=1000`);
    expect(response.status).toBe(200);
    const { records } = (await response.json()) as { records: LoggedDecision[] };
    return records.find((record) => record.decision_id === decisionId);
  }

  /** POSTs JSON from the page (same origin, the page's cookies): what the page script does. */
  function postFromPage(page: Page, path: string, body: unknown): Promise<Answer> {
    return page.evaluate(
      async ([target, payload]) => {
        const response = await fetch(target, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      },
      [path, body] as const,
    );
  }

  /** Runs the assertion ceremony in the page (options from Tenet, the authenticator signs) without sending the result. */
  async function signAssertion(page: Page, returnTo: string): Promise<unknown> {
    const options = await postFromPage(page, '/.tenet/passkeys/authentication/options', { rd: returnTo });
    expect(options.status).toBe(200);
    return page.evaluate((optionsJSON) => (globalThis as unknown as { SimpleWebAuthnBrowser: { startAuthentication(o: unknown): Promise<unknown> } }).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON }), options.body);
  }

  it('alice registers a passkey, and /admin (phishing-resistant required) steps her up with it instead of the IdP; the next requests are decided again', async () => {
    const tab = await aliceSignedIn();
    const { page, visited } = tab;
    const before = (await appIdentity(page))['decision id'] ?? '';
    expect((await loggedDecision(before))?.body.request.authn?.phishingResistant).toBe(false);

    const credentialId = await registerPasskey(tab, 'Laptop');
    expect(credentialId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(await page.textContent('tr[data-passkey]')).toContain('Laptop');
    // The authenticator holds one discoverable credential for our RP id (the public host's name).
    const { credentials } = await tab.cdp.send('WebAuthn.getCredentials', { authenticatorId: tab.authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    visited.length = 0;
    await page.goto(`${stack.publicUrl}/admin`);
    await page.waitForURL((url) => url.pathname === '/.tenet/step-up');
    expect(await page.textContent('h1')).toBe('Confirm it is you');
    const stepUp = new URL(page.url());
    expect(Object.fromEntries(stepUp.searchParams)).toMatchObject({ rd: `${stack.publicUrl}/admin`, provider: 'dev', step_up: '1', phr: '1' });
    // The IdP remains a choice: the very same step-up on the login endpoint.
    const idpLink = await page.getAttribute('#use-idp', 'href');
    expect(idpLink).toBe(`/.tenet/login${stepUp.search}`);
    expect(await page.textContent('#use-idp')).toBe('Use Tenet development IdP instead');

    await page.click('#use-passkey');
    await page.waitForURL(`${stack.publicUrl}/admin`);
    expect(await page.textContent('h1')).toBe('Hello Alice Anderson');
    expect(await appIdentity(page)).toMatchObject({ 'subject (sub)': 'User::"alice"', request: 'GET /admin' });
    // No round trip to the identity provider.
    expect(visited.filter((url) => url.startsWith(stack.idpUrl))).toEqual([]);
    const admin = await loggedDecision((await appIdentity(page))['decision id'] ?? '');
    expect(admin).toMatchObject({ outcome: 'allow', body: { request: { authn: { methods: ['hwk', 'mfa'], phishingResistant: true } } } });

    // The front page's allow was cached for the weak session; strengthening dropped it, so this is a new decision.
    await page.goto(`${stack.publicUrl}/`);
    const after = (await appIdentity(page))['decision id'] ?? '';
    expect(after).not.toBe(before);
    expect((await loggedDecision(after))?.body.request.authn?.phishingResistant).toBe(true);

    await page.goto(`${stack.publicUrl}/.tenet/passkeys`);
    expect(await page.textContent('tr[data-passkey]')).not.toContain('never');
  });

  it('without a passkey, the step-up goes to the identity provider as before', async () => {
    const { page, visited } = await aliceSignedIn();
    visited.length = 0;
    await page.goto(`${stack.publicUrl}/admin`);
    expect(await onIdpLoginForm(page, stack)).toBe(true);
    // /admin → /.tenet/step-up (alice has no passkey) → /.tenet/login with the very same query → the IdP.
    const [first, stepUp, login] = visited.map((url) => new URL(url));
    expect(first?.pathname).toBe('/admin');
    expect(stepUp?.pathname).toBe('/.tenet/step-up');
    expect(login?.pathname).toBe('/.tenet/login');
    expect(login?.search).toBe(stepUp?.search);
    expect(stepUp?.searchParams.get('phr')).toBe('1');
  });

  it('a replayed assertion (the same verify body twice) is refused', async () => {
    const tab = await aliceSignedIn();
    await registerPasskey(tab, 'Laptop');
    const response = await signAssertion(tab.page, `${stack.publicUrl}/admin`);
    const first = await postFromPage(tab.page, '/.tenet/passkeys/authentication/verify', { response });
    expect(first).toEqual({ status: 200, body: { redirect: `${stack.publicUrl}/admin` } });
    const replay = await postFromPage(tab.page, '/.tenet/passkeys/authentication/verify', { response });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_challenge' } });
  });

  it('a removed passkey can no longer be used', async () => {
    const tab = await aliceSignedIn();
    const credentialId = await registerPasskey(tab, 'Laptop');
    // Signed while the passkey was still registered, sent after it was removed.
    const response = await signAssertion(tab.page, `${stack.publicUrl}/admin`);
    await tab.page.click(`button[data-remove="${credentialId}"]`);
    await tab.page.waitForSelector('tr[data-passkey]', { state: 'detached' });
    expect(await tab.page.textContent('body')).toContain('You have no passkeys yet.');
    expect(await postFromPage(tab.page, '/.tenet/passkeys/authentication/verify', { response })).toMatchObject({ status: 400, body: { error: 'unknown_credential' } });
    // And the step-up no longer offers it: straight to the identity provider.
    await tab.page.goto(`${stack.publicUrl}/admin`);
    expect(await onIdpLoginForm(tab.page, stack)).toBe(true);
  });

  it('registration is refused from another origin (the session cookie alone is not enough)', async () => {
    const { context, page } = await aliceSignedIn();
    const url = `${stack.publicUrl}/.tenet/passkeys/registration/options`;
    const post = (headers: Record<string, string>) => context.request.post(url, { headers: { 'content-type': 'application/json', ...headers }, data: '{}', maxRedirects: 0 });
    const evil = await post({ origin: 'https://evil.example' });
    expect(evil.status()).toBe(403);
    expect(await evil.json()).toMatchObject({ error: 'cross_origin' });
    expect((await post({ origin: stack.publicUrl, 'sec-fetch-site': 'cross-site' })).status()).toBe(403);
    expect((await post({})).status()).toBe(403);
    // The same request from our own origin is answered with options: the refusals above are the origin check.
    const own = await post({ origin: stack.publicUrl });
    expect(own.status()).toBe(200);
    expect(await own.json()).toMatchObject({ rp: { id: 'localhost' }, attestation: 'none', authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' } });
    // And from a real page of another site, nothing comes back either.
    await page.goto(`${stack.idpUrl}/.well-known/openid-configuration`);
    const crossSite = await page.evaluate(async (target) => {
      try {
        const response = await fetch(target, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' });
        return response.status;
      } catch {
        return 'blocked';
      }
    }, url);
    expect(crossSite).toBe('blocked');
  });
});
