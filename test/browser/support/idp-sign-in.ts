// A person signing in at the development IdP's login page in the real browser, and reading what the
// example app shows afterwards.
import type { Page } from 'playwright-core';
import { HANDOFF_PATH } from '../../../src/enforcement/authenticate/handoff-endpoint.js';
import { CALLBACK_PATH } from '../../../src/enforcement/authenticate/login-endpoint.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Tick "Also use my security key" (acr "phr"). */
  readonly securityKey?: boolean;
}

export interface StackUrls {
  /** The IdP's issuer, e.g. http://127.0.0.1:40000. */
  readonly idpUrl: string;
  /** The proxy's publicUrl, e.g. https://localhost:41000. */
  readonly publicUrl: string;
}

/** True while the page shows the IdP's login form (an interaction page with a password field). */
export async function onIdpLoginForm(page: Page, urls: StackUrls): Promise<boolean> {
  return page.url().startsWith(`${urls.idpUrl}/interaction/`) && (await page.locator('input[name="password"]').count()) === 1;
}

/**
 * Fills in the login form the page is showing and submits it, then waits until the browser is back
 * on the proxy's host (past the callback). Fails when the page is not the IdP's login form.
 */
export async function signInAtIdp(page: Page, urls: StackUrls, credentials: Credentials): Promise<void> {
  await submitIdpLogin(page, urls, credentials);
  await backOnProxy(page, urls);
}

/** Fills in and submits the IdP's login form, once the page shows it; does not wait for what follows. */
export async function submitIdpLogin(page: Page, urls: StackUrls, credentials: Credentials): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${urls.idpUrl}/interaction/`));
  await page.fill('input[name="username"]', credentials.username);
  await page.fill('input[name="password"]', credentials.password);
  await page.setChecked('input[name="securityKey"]', credentials.securityKey ?? false);
  await page.click('button[type="submit"]');
}

/** Waits until the page has left the IdP and Tenet's callback / hand-off, and has loaded. */
export async function backOnProxy(page: Page, urls: StackUrls): Promise<void> {
  await page.waitForURL((url) => url.origin === urls.publicUrl && url.pathname !== CALLBACK_PATH && url.pathname !== HANDOFF_PATH);
}

/** The example app's table of verified claims, label → value ("subject (sub)", "email", "groups", …). */
export async function appIdentity(page: Page): Promise<Record<string, string>> {
  const rows = await page.$$eval('tr', (elements) => elements.map((row) => [row.querySelector('th')?.textContent ?? '', row.querySelector('td')?.textContent ?? ''] as const));
  return Object.fromEntries(rows);
}
