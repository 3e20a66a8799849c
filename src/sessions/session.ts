// What a login session is (NIST SP 800-207's Policy Administrator keeps these): who logged in, with
// which provider, how they authenticated, and which host the cookie is bound to. The cookie holds
// only a random secret; the store keys sessions by its SHA-256, so a stolen database holds no
// usable cookie.
import type { Authentication, EntityRef } from '../engine/tuple.js';

/** The user as the identity provider described them, already mapped onto Cedar. */
export interface SessionIdentity {
  /** The `authentication.providers[].id` that logged the user in. */
  readonly providerId: string;
  /** The provider's `sub` claim (back-channel logout names users by it). */
  readonly idpSubject: string;
  /** The provider's session id (`sid` claim), when it sent one (back-channel logout may name it). */
  readonly idpSessionId?: string;
  /** The Cedar principal, e.g. `User::"alice@example.com"`. */
  readonly subject: EntityRef;
  /** Groups from the groups claim, as Cedar parents of the principal for each request. */
  readonly parents: readonly EntityRef[];
  /** Cedar attributes mapped from claims, overlaid on the principal for each request. */
  readonly attributes: Readonly<Record<string, string | boolean | number | readonly string[]>>;
  readonly email?: string;
  readonly name?: string;
  /** Group names as the provider sent them. */
  readonly groups: readonly string[];
}

export interface SessionRecord {
  /** Hex SHA-256 of the cookie secret; the secret itself is never stored. */
  readonly id: string;
  /** Shared by every per-host session created from one login, so logout ends them together. */
  readonly loginId: string;
  /** The host (with port, lower-case) the cookie is bound to; a cookie presented elsewhere is refused. */
  readonly host: string;
  readonly identity: SessionIdentity;
  readonly authn: Authentication;
  /** The ID token, kept for RP-initiated logout (`id_token_hint`). Never logged. */
  readonly idToken?: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  /** Absolute expiry (login time + absoluteTimeout). Idle expiry is lastSeenAt + idleTimeout. */
  readonly expiresAt: string;
  readonly revokedAt?: string;
}

/** Server-side state of one login attempt (RFC 6749 state, OIDC nonce, RFC 7636 PKCE verifier). */
export interface LoginState {
  /** Hex SHA-256 of the `state` parameter. */
  readonly id: string;
  readonly providerId: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Where to send the user after login (already checked against the routes: never an open redirect). */
  readonly returnTo: string;
  /** Hex SHA-256 of the login-binding cookie set on the browser that started the login (login CSRF). */
  readonly browserBinding: string;
  /** Set when the login is a step-up: the minimum the new authentication must satisfy. */
  readonly stepUp?: { readonly maxAgeSeconds: number; readonly phishingResistant: boolean };
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** A one-time code that moves a login to another host's cookie (hosts cannot share __Host- cookies). */
export interface SessionHandoff {
  /** Hex SHA-256 of the code. */
  readonly id: string;
  readonly sessionId: string;
  /** Host (with port, lower-case) the code may be redeemed on. */
  readonly host: string;
  readonly returnTo: string;
  readonly expiresAt: string;
}
