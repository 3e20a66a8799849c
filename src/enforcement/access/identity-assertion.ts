// The signed identity assertion the proxy and forward-auth hand to upstreams: an ES256 JWT that
// says who the user is and which decision let them through, valid for at most two minutes. An
// upstream verifies it against the JWKS Tenet publishes (/.tenet/jwks.json) and so never has to
// trust a plain header, which anything between it and Tenet could have set.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWK } from 'jose';
import { TenetError } from '../../errors.js';

/** How long an assertion is valid. Short, because it is a bearer credential once it leaves Tenet. */
export const ASSERTION_LIFETIME_SECONDS = 120;

export interface AssertionClaims {
  /** The Cedar principal, `Type::"id"`. */
  readonly sub: string;
  readonly email?: string;
  readonly name?: string;
  readonly groups: readonly string[];
  readonly deviceId?: string;
  readonly decisionId: string;
  /** The route name: upstreams check it so an assertion for one app is useless at another. */
  readonly audience: string;
}

export interface SignedAssertion {
  readonly token: string;
  /** Epoch milliseconds after which the token is no longer valid. */
  readonly expiresAtMs: number;
}

export class AssertionSigner {
  private constructor(
    private readonly key: CryptoKey,
    private readonly publicJwk: JWK,
    readonly issuer: string,
    private readonly clock: () => Date,
  ) {}

  static async fromPem(pem: string, issuer: string, clock: () => Date = () => new Date()): Promise<AssertionSigner> {
    let key: CryptoKey;
    try {
      key = await importPKCS8(pem, 'ES256', { extractable: true });
    } catch (error) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', 'the identity assertion key is not a PEM PKCS#8 P-256 private key', [
        { path: 'proxy.assertionKey', message: (error as Error).message, hint: 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem' },
      ]);
    }
    const { kty, crv, x, y } = await exportJWK(key);
    if (kty !== 'EC' || crv !== 'P-256' || x === undefined || y === undefined) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', 'the identity assertion key must be a P-256 key', [{ path: 'proxy.assertionKey', message: `got ${kty ?? '?'} ${crv ?? ''}` }]);
    }
    const publicJwk: JWK = { kty, crv, x, y };
    const kid = await calculateJwkThumbprint(publicJwk);
    return new AssertionSigner(key, { ...publicJwk, kid, alg: 'ES256', use: 'sig' }, issuer, clock);
  }

  /** Loads the key file, or generates a P-256 key into it (mode 0600) the first time. */
  static async fromFile(path: string, issuer: string, clock?: () => Date): Promise<AssertionSigner> {
    if (!existsSync(path)) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      writeFileSync(path, await exportPKCS8(privateKey), { mode: 0o600, flag: 'wx' });
    }
    return AssertionSigner.fromPem(readFileSync(path, 'utf8'), issuer, clock);
  }

  /** A key that lives as long as the process (in-memory stores, tests). */
  static async ephemeral(issuer: string, clock?: () => Date): Promise<AssertionSigner> {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    return AssertionSigner.fromPem(await exportPKCS8(privateKey), issuer, clock);
  }

  get keyId(): string {
    return this.publicJwk.kid ?? '';
  }

  /** The JSON Web Key Set upstreams verify assertions with (RFC 7517 §5). */
  jwks(): { readonly keys: readonly JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async sign(claims: AssertionClaims): Promise<SignedAssertion> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const expiresAt = now + ASSERTION_LIFETIME_SECONDS;
    const payload: Record<string, unknown> = { groups: [...claims.groups], decision_id: claims.decisionId };
    if (claims.email !== undefined) payload['email'] = claims.email;
    if (claims.name !== undefined) payload['name'] = claims.name;
    if (claims.deviceId !== undefined) payload['device_id'] = claims.deviceId;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(claims.audience)
      .setSubject(claims.sub)
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.key);
    return { token, expiresAtMs: expiresAt * 1000 };
  }
}
