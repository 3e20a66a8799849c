// Crafts JWTs for the attack tests: tokens the test provider would sign (with its real key),
// unsigned tokens (`alg: none`), HS256 tokens whose HMAC key is the provider's public key (the
// RS/HS key-confusion attack, RFC 8725 §2.1), and tokens signed by an impostor key with the
// provider's kid.
import { randomUUID } from 'node:crypto';
import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { TestProvider } from './test-provider.js';

type Header = { alg: string; kid?: string; typ?: string };
/** Claims to change; `undefined` removes a claim (JSON drops it). */
type Overrides = Record<string, unknown>;

/** Signed with the provider's own RS256 key (a token the provider could really have issued). */
export async function signedByProvider(idp: TestProvider, claims: JWTPayload, header: Partial<Header> = {}): Promise<string> {
  const key = await importJWK(idp.signingKey, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid, ...header }).sign(key);
}

/** `alg: none`, empty signature (RFC 7519 §6). */
export function unsigned(claims: JWTPayload): string {
  const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** HS256 with the provider's public key (PEM text) as the HMAC secret. */
export async function hs256WithPublicKey(idp: TestProvider, claims: JWTPayload): Promise<string> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = idp.signingKey;
  const publicKey = await importJWK({ ...publicJwk, alg: 'RS256' }, 'RS256', { extractable: true });
  if (publicKey instanceof Uint8Array) throw new Error('expected an RSA key');
  const pem = await exportSPKI(publicKey);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: idp.signingKey.kid }).sign(new TextEncoder().encode(pem));
}

/** Signed by a key the provider never had, under the provider's kid (a forged signature). */
export async function signedByImpostor(idp: TestProvider, claims: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid }).sign(privateKey);
}

/** Claims of a valid ID token from the test provider for `sub`, `secondsAgo` old. */
export function idTokenClaims(idp: TestProvider, overrides: Overrides = {}, now = Date.now()): JWTPayload {
  const iat = Math.floor(now / 1000);
  return { iss: idp.issuer, aud: idp.clientId, sub: 'alice', email: 'alice@example.test', groups: ['engineering'], amr: ['pwd'], iat, exp: iat + 600, ...overrides };
}

/** Claims of a valid back-channel logout token (Back-Channel Logout 1.0 §2.4). */
export function logoutTokenClaims(idp: TestProvider, overrides: Overrides = {}, now = Date.now()): JWTPayload {
  const iat = Math.floor(now / 1000);
  return {
    iss: idp.issuer,
    aud: idp.clientId,
    iat,
    exp: iat + 120,
    jti: randomUUID(),
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    ...overrides,
  };
}
