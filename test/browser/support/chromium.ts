// Debian's Chromium driven by playwright-core (no browser download: the project's machines install
// /usr/bin/chromium, .ci/run included). One browser per test file, a fresh context per test: a
// context is a clean profile (no cookies), so tests cannot leak sessions into each other.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  // The proxy speaks HTTP/1.1 over TCP; no QUIC attempts or background traffic to wait for.
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Skip only where Chromium is absent and this is not CI: CI installs it, so there a missing browser must fail. */
export const chromiumUnavailable = !existsSync(CHROMIUM_PATH) && process.env['CI'] !== 'true';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface ContextOptions {
  /**
   * Ignore the pages' Content-Security-Policy, so a test script may open connections from a page
   * whose CSP (rightly, it has no script of its own) allows none — the example app's is `default-src 'none'`.
   */
  readonly bypassCSP?: boolean;
}

/** A clean profile that accepts the quickstart proxy's self-signed certificate (as a user clicking through the warning would). */
export async function newContext(browser: Browser, options: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: options.bypassCSP ?? false });
  // A hang guard, not a timing assertion: a flow that stalls (a refused form, a lost redirect) fails
  // within seconds with the step it stalled at, instead of at the test timeout.
  context.setDefaultTimeout(15_000);
  return context;
}
