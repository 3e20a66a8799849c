// The login-binding cookie ties a login attempt to the browser that started it, so an attacker
// cannot make a victim's browser finish the attacker's login (login CSRF, OAuth 2.0 Security BCP
// RFC 9700 §4.7; OIDC Core §3.1.2.1 `state`). The store keeps only its SHA-256 beside the state.
// `__Host-` (RFC 6265bis §4.1.3.2): only the publicUrl host over HTTPS can set or read it.
import { timingSafeEqual } from 'node:crypto';
import { randomSecret, sha256Hex } from '../../sessions/sessions.js';
import { readCookieValue } from './cookie-header.js';

export const LOGIN_BINDING_COOKIE = '__Host-tenet_login';
/** As long as a login state lives (10 minutes). */
export const LOGIN_BINDING_SECONDS = 600;

const BINDING_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** The browser's binding value: the one it already holds (parallel logins in two tabs share it), else a new one. */
export function bindingFor(cookieHeader: string | undefined): { value: string; digest: string } {
  const existing = readBinding(cookieHeader);
  const value = existing ?? randomSecret();
  return { value, digest: sha256Hex(value) };
}

/** The binding value the browser sent, or undefined when absent or malformed. */
export function readBinding(cookieHeader: string | undefined): string | undefined {
  const value = readCookieValue(cookieHeader, LOGIN_BINDING_COOKIE);
  return value !== undefined && BINDING_FORMAT.test(value) ? value : undefined;
}

/** True when the browser holds the binding cookie whose SHA-256 (hex) the login state recorded; compared in constant time. */
export function bindingMatches(cookieHeader: string | undefined, expectedDigest: string): boolean {
  const value = readBinding(cookieHeader);
  if (value === undefined || !/^[0-9a-f]{64}$/.test(expectedDigest)) return false;
  return timingSafeEqual(Buffer.from(sha256Hex(value), 'hex'), Buffer.from(expectedDigest, 'hex'));
}

/** SameSite=Lax: the provider's redirect back to the callback is a top-level GET, which Lax allows. */
export function setBindingCookie(value: string): string {
  return `${LOGIN_BINDING_COOKIE}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${LOGIN_BINDING_SECONDS}`;
}

export function clearBindingCookie(): string {
  return `${LOGIN_BINDING_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
}
