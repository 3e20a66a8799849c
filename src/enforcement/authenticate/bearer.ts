// `Authorization: Bearer <ID token>` for API clients (RFC 6750 §2.1): the token must be an ID
// token a configured provider issued to its own clientId, checked like a login's ID token
// (verify-id-token.ts). The principal is mapped exactly as for a browser login.
import type { AuthenticationConfig } from '../../config/enforcement-schema.js';
import type { Authentication } from '../../engine/tuple.js';
import { isTenetError } from '../../errors.js';
import type { SessionIdentity } from '../../sessions/session.js';
import type { ProviderRegistry } from './provider-registry.js';
import { authnFromClaims, identityFromClaims } from './map-claims.js';
import { providerOfToken, verifyIdToken } from './verify-id-token.js';

export type BearerResult =
  | { readonly ok: true; readonly identity: SessionIdentity; readonly authn: Authentication }
  | { readonly ok: false; readonly problem: string };

export interface BearerAuthenticator {
  /** Verifies `Authorization: Bearer <ID token>` issued by a configured provider to its clientId: signature (provider JWKS), alg allow-list (no `none`, no HS*), iss, aud, exp/nbf/iat with 60 s leeway. */
  authenticate(authorizationHeader: string): Promise<BearerResult>;
}

// RFC 6750 §2.1 b64token; a JWS compact serialization is three base64url parts.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
const MAX_TOKEN_LENGTH = 16 * 1024;

export function bearerAuthenticator(config: AuthenticationConfig, providers: ProviderRegistry, now: () => Date): BearerAuthenticator {
  return {
    async authenticate(authorizationHeader) {
      if (!config.bearerTokens) return { ok: false, problem: 'bearer tokens are not accepted here (authentication.bearerTokens is false)' };
      if (authorizationHeader.length > MAX_TOKEN_LENGTH) return { ok: false, problem: 'the bearer token is too long' };
      const match = BEARER.exec(authorizationHeader.trim());
      const token = match?.[1];
      if (token === undefined) return { ok: false, problem: 'expected Authorization: Bearer <ID token> (a signed JWT)' };
      const found = providerOfToken(token, providers);
      if ('problem' in found) {
        // The provider may be back: try to discover it now (at most every few seconds), without making this request wait.
        if (found.unavailable !== undefined) providers.nudge(found.unavailable.id);
        return { ok: false, problem: found.problem };
      }
      const verified = await verifyIdToken(found.provider, token, now());
      if (!verified.ok) return { ok: false, problem: verified.problem };
      try {
        return {
          ok: true,
          identity: identityFromClaims(found.provider.config, verified.claims),
          authn: authnFromClaims(found.provider.config, verified.claims),
        };
      } catch (error) {
        if (isTenetError(error)) return { ok: false, problem: error.message };
        throw error;
      }
    },
  };
}
