// Test support: signs a user in at the development IdP the way a browser would — follow the
// authorization request, fill in the login form, follow the redirects — and returns the URL the IdP
// sent the browser back to (the relying party's redirect URI with `code` and `state`, or `error`).
import { formAction, type HttpBrowser } from './http-browser.js';

export interface DevIdpCredentials {
  readonly username: string;
  readonly password: string;
  /** Tick "Also use my security key" (amr hwk, acr phr). */
  readonly securityKey?: boolean;
}

/**
 * `isRedirectUri` says which location is the RP's (never fetched). When the IdP already has a
 * session that satisfies the request, no form is shown and `credentials` are not used.
 */
export async function signInAtDevIdp(
  browser: HttpBrowser,
  authorizationUrl: string,
  credentials: DevIdpCredentials,
  isRedirectUri: (location: URL) => boolean,
): Promise<URL> {
  const first = await browser.navigate(authorizationUrl, {}, isRedirectUri);
  if (first.stoppedAt !== undefined) return first.stoppedAt;
  if (first.page.status !== 200 || !first.page.body.includes('name="password"')) {
    throw new Error(`expected the dev IdP login form, got ${first.page.status} at ${first.page.url}:\n${first.page.body.slice(0, 800)}`);
  }
  const form: Record<string, string> = { username: credentials.username, password: credentials.password };
  if (credentials.securityKey) form.securityKey = 'yes';
  const action = new URL(formAction(first.page.body), first.page.url).href;
  const submitted = await browser.navigate(action, { form, headers: { origin: new URL(first.page.url).origin } }, isRedirectUri);
  if (submitted.stoppedAt === undefined) {
    throw new Error(`the dev IdP did not send the browser back after login (${submitted.page.status} at ${submitted.page.url}):\n${submitted.page.body.slice(0, 800)}`);
  }
  return submitted.stoppedAt;
}
