// Bearer-token verification (RFC 6750 §2.1): the token is hashed with SHA-256 and looked up among
// the config's static token hashes and the store's API tokens. Only hashes are ever stored or
// compared; the token itself is never logged or kept.
import { createHash, timingSafeEqual } from 'node:crypto';
import { TenetError } from '../errors.js';
import type { ApiTokenStore } from '../store/ports.js';
import type { ApiCaller } from './caller.js';
import type { StaticApiToken } from './deps.js';

// RFC 6750 §2.1 b64token syntax.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two hex SHA-256 digests (false for anything that is not one). */
export function sameDigest(a: string, b: string): boolean {
  if (!SHA256_HEX.test(a) || !SHA256_HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** Checks the configured static tokens once at start-up so a typo is a config error, not a silent lock-out. */
export function checkStaticTokens(tokens: readonly StaticApiToken[]): void {
  const issues = tokens.flatMap((token, index) =>
    SHA256_HEX.test(token.sha256)
      ? []
      : [{ path: `api.auth.tokens[${index}].sha256`, message: 'must be 64 lower-case hex characters', hint: 'echo -n "$TOKEN" | sha256sum' }],
  );
  if (issues.length > 0) throw new TenetError('TENET_ERR_CONFIG_INVALID_TOKEN_HASH', 'Invalid static API token hash.', issues);
}

/** The caller named by an `Authorization` header value, or a TenetError `TENET_ERR_AUTH_*`. */
export async function verifyBearerToken(
  authorization: string | undefined,
  staticTokens: readonly StaticApiToken[],
  store: ApiTokenStore,
): Promise<ApiCaller> {
  if (authorization === undefined || authorization.trim() === '') {
    throw new TenetError('TENET_ERR_AUTH_MISSING_CREDENTIALS', 'Authentication required: send Authorization: Bearer <token>.');
  }
  const token = BEARER.exec(authorization.trim())?.[1];
  if (token === undefined) {
    throw new TenetError('TENET_ERR_AUTH_INVALID_TOKEN', 'Authorization header is not a Bearer token.');
  }
  const digest = sha256Hex(token);

  // INVARIANT: every static entry is compared (no early exit) so timing does not reveal which matched.
  let matched: StaticApiToken | undefined;
  for (const candidate of staticTokens) {
    if (sameDigest(digest, candidate.sha256) && matched === undefined) matched = candidate;
  }
  if (matched !== undefined) return { name: matched.name, scopes: matched.scopes, via: 'token' };

  // The store looks the digest up by index; re-comparing in constant time guards against an
  // adapter whose lookup is looser than byte equality (case folding, prefix match).
  const record = await store.findByHash(digest);
  if (record === undefined || !sameDigest(digest, record.tokenHash)) {
    throw new TenetError('TENET_ERR_AUTH_INVALID_TOKEN', 'The bearer token is not valid.');
  }
  if (record.revokedAt !== undefined) {
    throw new TenetError('TENET_ERR_AUTH_TOKEN_REVOKED', 'The bearer token has been revoked.');
  }
  return { name: record.name, scopes: record.scopes, via: 'token' };
}
