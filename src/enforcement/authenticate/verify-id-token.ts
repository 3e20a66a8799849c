// Verifies an ID token with jose against the provider that issued it (OIDC Core §3.1.3.7):
// signature with the provider's JWKS, an asymmetric algorithm from the allow-list, iss, aud (and
// azp when several audiences), exp/nbf/iat with the clock leeway. Used for bearer tokens and, on
// top of openid-client's checks, for the ID token of every login: openid-client trusts the TLS
// channel to the token endpoint and does not check the signature, we do.
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import { CLOCK_LEEWAY_SECONDS, type DiscoveredProvider } from './discover-providers.js';
import type { ProviderRegistry } from './provider-registry.js';

export type TokenCheck = { readonly ok: true; readonly claims: JWTPayload } | { readonly ok: false; readonly problem: string };

// Tokens that are JWTs from the same issuer and audience but are not ID tokens (RFC 8725 §3.11
// explicit typing): logout tokens and JWT access tokens must not pass as ID tokens.
const NOT_ID_TOKEN_TYPES = new Set(['logout+jwt', 'at+jwt', 'secevent+jwt']);

export type TokenProvider =
  | { readonly provider: DiscoveredProvider }
  /** `unavailable`: the token names a configured provider that is not discovered (yet); it cannot be verified, so it is refused. */
  | { readonly problem: string; readonly unavailable?: OidcProviderConfig };

/** The provider a JWT claims to come from (unverified `iss`, used only to pick the keys to verify with). */
export function providerOfToken(token: string, providers: ProviderRegistry): TokenProvider {
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    return { problem: 'the token is not a JWT' };
  }
  if (typeof issuer !== 'string') return { problem: 'the token has no issuer (iss)' };
  const entry = providers.byIssuer(issuer);
  if (entry === undefined) return { problem: 'the token was not issued by a configured provider' };
  // Fail closed: without the provider's metadata there are no keys to check the signature with.
  if (entry.discovered === undefined) return { problem: `identity provider ${entry.config.id} is unavailable`, unavailable: entry.config };
  return { provider: entry.discovered };
}

/** Checks `token` is a valid ID token of `provider` for its clientId at `now`. */
export async function verifyIdToken(provider: DiscoveredProvider, token: string, now: Date): Promise<TokenCheck> {
  const unsafeHeader = safeHeader(token);
  if (unsafeHeader === undefined) return { ok: false, problem: 'the token is not a JWS' };
  if (typeof unsafeHeader.typ === 'string' && NOT_ID_TOKEN_TYPES.has(unsafeHeader.typ.toLowerCase().replace(/^application\//, ''))) {
    return { ok: false, problem: `a ${unsafeHeader.typ} token is not an ID token` };
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, provider.jwks, {
      algorithms: [...provider.algorithms],
      issuer: provider.issuer,
      audience: provider.config.clientId,
      requiredClaims: ['sub', 'exp', 'iat'],
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: now,
    }));
  } catch (error) {
    return { ok: false, problem: joseProblem(error) };
  }
  // OIDC Core §3.1.3.7 steps 4–5: with several audiences azp must name us; if present it must be us.
  if ((Array.isArray(claims.aud) && claims.aud.length > 1) || claims.azp !== undefined) {
    if (claims.azp !== provider.config.clientId) return { ok: false, problem: 'the token was issued to another client (azp)' };
  }
  // jose checks a future iat only with maxTokenAge; an ID token from the future is forged or the clocks are wrong.
  if (typeof claims.iat !== 'number' || claims.iat > now.getTime() / 1000 + CLOCK_LEEWAY_SECONDS) {
    return { ok: false, problem: 'the token was issued in the future (iat)' };
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') return { ok: false, problem: 'the token has no subject (sub)' };
  if (claims.events !== undefined) return { ok: false, problem: 'a security event token is not an ID token' };
  return { ok: true, claims };
}

function safeHeader(token: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A short description of why jose refused a token, naming the failed check, never the token. */
export function joseProblem(error: unknown): string {
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `the ${error.claim} claim check failed (${error.reason})`;
  if (error instanceof joseErrors.JWTExpired) return `the token has expired (${error.claim})`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "no key of the provider's JWKS matches the token";
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return "several keys of the provider's JWKS match the token";
  if (error instanceof joseErrors.JWKSTimeout) return "the provider's JWKS could not be fetched in time";
  if (error instanceof joseErrors.JOSEError) return `the token is invalid (${error.code})`;
  return 'the token could not be verified';
}
