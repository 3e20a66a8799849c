// Tenet's own cookies (the session cookie and the login-binding cookie) authenticate the browser to
// Tenet, not to the application: forwarding them would hand a bearer credential for every route to
// each upstream. They are removed from the Cookie header; the application's cookies stay.

/** Login-binding cookie set while an OIDC login is in progress (login CSRF defence). */
export const LOGIN_COOKIE_NAME = '__Host-tenet_login';

/** Every cookie in Tenet's `__Host-tenet_` namespace is Tenet's, whatever the configured session name. */
const TENET_COOKIE_PREFIX = '__Host-tenet_';

/** The Cookie header without Tenet's cookies, or undefined when none of the client's cookies remain. */
export function withoutTenetCookies(cookieHeader: string, sessionCookieName: string): string | undefined {
  const kept = cookieHeader
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => {
      if (pair === '') return false;
      const equals = pair.indexOf('=');
      const name = (equals === -1 ? pair : pair.slice(0, equals)).trim();
      return name !== sessionCookieName && name !== LOGIN_COOKIE_NAME && !name.startsWith(TENET_COOKIE_PREFIX);
    });
  return kept.length === 0 ? undefined : kept.join('; ');
}
