// The Ed25519 key that signs decision-log checkpoints. It comes from config (a PKCS#8 PEM private
// key, e.g. mounted from a secret store) or is generated once and kept — in a file beside a file
// database, or in the settings store of an in-memory one — so checkpoints stay verifiable across
// restarts. Verifiers only ever need the public key (SPKI PEM).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SettingsStore } from '../store/ports.js';
import { TenetError } from '../errors.js';

/** Settings-store name of the generated key (PKCS#8 PEM). */
export const AUDIT_KEY_SETTING = 'audit.signingKey';

export interface AuditSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM, for `tenet audit verify --key` and for SIEMs that check checkpoints. */
  readonly publicKeyPem: string;
  readonly keyId: string;
}

/** First 16 chars of base64url(SHA-256(SPKI DER)): short, stable across PEM formatting, names a rotated key. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url').slice(0, 16);
}

/** Parses a PEM public key for verification; throws TENET_ERR_AUDIT_KEY_INVALID if it is not Ed25519. */
export function auditPublicKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new TenetError('TENET_ERR_AUDIT_KEY_INVALID', 'audit public key is not a valid PEM public key', [], { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TenetError('TENET_ERR_AUDIT_KEY_INVALID', `audit public key must be Ed25519, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/** Builds the signing key from a PEM private key; `source` names where it came from in errors. */
export function auditKeyFromPem(pem: string, source: string): AuditSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    // Never echo the PEM: it is the secret.
    throw new TenetError('TENET_ERR_AUDIT_KEY_INVALID', `${source}: not a valid PEM private key`, [{ path: source, message: 'expected a PKCS#8 PEM Ed25519 private key' }], { cause });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TenetError('TENET_ERR_AUDIT_KEY_INVALID', `${source}: audit signing key must be Ed25519, got ${privateKey.asymmetricKeyType ?? 'unknown'}`, [
      { path: source, message: 'expected an Ed25519 key', hint: 'openssl genpkey -algorithm ed25519' },
    ]);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/**
 * The configured key if `pemFromConfig` is given (it wins, and is not copied into the store);
 * otherwise the stored key; otherwise a new key, stored before it is returned so a crash cannot
 * leave checkpoints signed by a key nobody kept.
 */
export async function loadOrCreateAuditKey(settings: SettingsStore, pemFromConfig?: string): Promise<AuditSigningKey> {
  if (pemFromConfig !== undefined) return auditKeyFromPem(pemFromConfig, 'audit.signingKey');
  const stored = await settings.get(AUDIT_KEY_SETTING);
  if (stored !== undefined) return auditKeyFromPem(stored, `settings:${AUDIT_KEY_SETTING}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await settings.put(AUDIT_KEY_SETTING, pem);
  return auditKeyFromPem(pem, `settings:${AUDIT_KEY_SETTING}`);
}

/**
 * The key kept in its own file (mode 0600), generated on first use. Preferred over the settings
 * store for a file database: a key stored inside the database it protects would let anyone who
 * can rewrite the database also re-sign the checkpoints.
 */
export function loadOrCreateAuditKeyFile(path: string): AuditSigningKey {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new TenetError('TENET_ERR_AUDIT_KEY_UNREADABLE', `cannot read the audit signing key ${path}`, [{ path, message: (error as Error).message }]);
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    mkdirSync(dirname(path), { recursive: true });
    try {
      // 'wx': never overwrite a key another process created in the meantime.
      writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      pem = readFileSync(path, 'utf8');
    }
  }
  return auditKeyFromPem(pem, path);
}
