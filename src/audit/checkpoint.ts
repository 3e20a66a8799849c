// Signed checkpoints: every N records (and on close) the writer signs `{hash, seq, time}` with
// Ed25519. A hash chain alone can be rewritten wholesale by anyone who can write the database
// (SHA-256 needs no key); a checkpoint pins the chain up to `seq` to a key the attacker lacks, so
// rewriting or truncating anything at or before the newest checkpoint is detected.
import { sign, verify, type KeyObject } from 'node:crypto';
import type { AuditCheckpoint } from './record.js';
import type { ChainHead } from './chain.js';
import type { AuditSigningKey } from './signing-key.js';
import { keyIdOf } from './signing-key.js';
import { canonicalJson } from './canonical.js';

/** The exact bytes that are signed: RFC 8785 canonical JSON `{"hash":…,"seq":…,"time":…}` in UTF-8. */
export function checkpointStatement(checkpoint: Pick<AuditCheckpoint, 'seq' | 'hash' | 'time'>): Buffer {
  return Buffer.from(canonicalJson({ seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time }), 'utf8');
}

export function signCheckpoint(key: AuditSigningKey, head: ChainHead, time: Date): AuditCheckpoint {
  const statement = { seq: head.seq, hash: head.hash, time: time.toISOString() };
  // Ed25519 takes no digest algorithm: `null` (RFC 8032 PureEdDSA).
  const signature = sign(null, checkpointStatement(statement), key.privateKey).toString('base64');
  return { ...statement, signature, keyId: key.keyId };
}

/**
 * True when one of `publicKeys` with the checkpoint's keyId verifies its signature. The keyId is
 * only a hint for choosing the key: it is not signed, so it is recomputed from each candidate.
 */
export function verifyCheckpointSignature(checkpoint: AuditCheckpoint, publicKeys: readonly KeyObject[]): boolean {
  const statement = checkpointStatement(checkpoint);
  const signature = Buffer.from(checkpoint.signature, 'base64');
  return publicKeys.some((key) => keyIdOf(key) === checkpoint.keyId && verifiesWith(key, statement, signature));
}

function verifiesWith(key: KeyObject, statement: Buffer, signature: Buffer): boolean {
  try {
    return verify(null, statement, key, signature);
  } catch {
    // A key of the wrong type cannot vouch for anything.
    return false;
  }
}
