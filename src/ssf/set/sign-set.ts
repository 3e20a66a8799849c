// Signs the Security Event Tokens Tenet transmits (RFC 8417) with an ES256 key, and publishes that
// key as a JWKS for receivers (SSF 1.0 §7.1 `jwks_uri`). The key is loaded from config (PEM text
// or a file path), or generated once into a file beside the database (mode 0600), so receivers'
// cached JWKS stay valid across restarts.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWK } from 'jose';
import { TenetError } from '../../errors.js';
import { SET_TYPE } from '../caep-events.js';

/** The key file generated beside the database when `ssf.transmitter.signingKey` is absent. */
export const SSF_SIGNING_KEY_FILE = 'ssf-signing-key.pem';

/** The claims of one SET (RFC 8417 §2.2; SSF 1.0 §4.1: `sub_id` at the top, no `sub`, no `exp`). */
export interface SetClaims {
  readonly iss: string;
  readonly aud: string | readonly string[];
  /** RFC 9493 subject identifier of the event's subject. */
  readonly sub_id: Readonly<Record<string, unknown>>;
  /** One event (SSF 1.0 §4.2.1): type URI → payload. */
  readonly events: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The underlying change's id, shared by every SET it caused (SSF 1.0 §4.1.8). */
  readonly txn?: string;
  /** Defaults to a random UUID (hex). */
  readonly jti?: string;
}

export interface SignedSet {
  readonly jti: string;
  readonly token: string;
}

export class SetSigner {
  private constructor(
    private readonly key: CryptoKey,
    private readonly publicJwk: JWK,
    private readonly clock: () => Date,
  ) {}

  /** A PKCS#8 PEM P-256 private key; `path` names where it came from in errors. */
  static async fromPem(pem: string, path = 'ssf.transmitter.signingKey', clock: () => Date = () => new Date()): Promise<SetSigner> {
    let key: CryptoKey;
    try {
      key = await importPKCS8(pem, 'ES256', { extractable: true });
    } catch (error) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', 'the SSF signing key is not a PEM PKCS#8 P-256 private key', [
        { path, message: (error as Error).message, hint: 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ssf-signing-key.pem' },
      ]);
    }
    const { kty, crv, x, y } = await exportJWK(key);
    if (kty !== 'EC' || crv !== 'P-256' || x === undefined || y === undefined) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', 'the SSF signing key must be a P-256 key (ES256)', [{ path, message: `got ${kty ?? '?'} ${crv ?? ''}` }]);
    }
    const publicJwk: JWK = { kty, crv, x, y };
    const kid = await calculateJwkThumbprint(publicJwk);
    return new SetSigner(key, { ...publicJwk, kid, alg: 'ES256', use: 'sig' }, clock);
  }

  /** Loads the key file, or generates a P-256 key into it (mode 0600, never overwriting) the first time. */
  static async fromFile(path: string, clock?: () => Date): Promise<SetSigner> {
    if (!existsSync(path)) {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      try {
        writeFileSync(path, await exportPKCS8(privateKey), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return SetSigner.fromPem(readFileSync(path, 'utf8'), path, clock);
  }

  /** A key that lives as long as the process (in-memory stores, tests). */
  static async ephemeral(clock?: () => Date): Promise<SetSigner> {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    return SetSigner.fromPem(await exportPKCS8(privateKey), 'ephemeral', clock);
  }

  get keyId(): string {
    return this.publicJwk.kid ?? '';
  }

  /** The JSON Web Key Set receivers verify SETs with (RFC 7517 §5). */
  jwks(): { readonly keys: readonly JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async sign(claims: SetClaims): Promise<SignedSet> {
    const jti = claims.jti ?? randomUUID().replaceAll('-', '');
    const payload: Record<string, unknown> = { sub_id: claims.sub_id, events: claims.events };
    if (claims.txn !== undefined) payload['txn'] = claims.txn;
    const token = await new SignJWT(payload)
      // RFC 8417 §2.3 explicit typing; SSF 1.0 §4.1.1 requires it.
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: SET_TYPE })
      .setIssuer(claims.iss)
      .setAudience(typeof claims.aud === 'string' ? claims.aud : [...claims.aud])
      .setIssuedAt(Math.floor(this.clock().getTime() / 1000))
      .setJti(jti)
      .sign(this.key);
    return { jti, token };
  }
}

/**
 * The transmitter's signer as configured: `signingKey` is PEM text or a path to a PEM file; when
 * absent, `ssf-signing-key.pem` beside the database (an ephemeral key for `:memory:`).
 */
export async function loadSetSigner(options: { readonly signingKey?: string; readonly databasePath: string }): Promise<SetSigner> {
  const configured = options.signingKey;
  if (configured !== undefined) {
    if (configured.includes('-----BEGIN')) return SetSigner.fromPem(configured);
    if (!existsSync(configured)) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID', `the SSF signing key file ${configured} does not exist`, [{ path: 'ssf.transmitter.signingKey', message: 'no such file' }]);
    }
    return SetSigner.fromPem(readFileSync(configured, 'utf8'), configured);
  }
  if (options.databasePath === ':memory:') return SetSigner.ephemeral();
  return SetSigner.fromFile(join(dirname(options.databasePath), SSF_SIGNING_KEY_FILE));
}
