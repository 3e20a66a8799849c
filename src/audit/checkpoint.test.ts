import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIT_KEY_SETTING, auditKeyFromPem, auditPublicKeyFromPem, keyIdOf, loadOrCreateAuditKey } from './signing-key.js';
import { checkpointStatement, signCheckpoint, verifyCheckpointSignature } from './checkpoint.js';
import { memorySettings } from './testing/audit-db.js';

const head = { seq: 1000, hash: 'a'.repeat(64) };

describe('audit signing key', () => {
  it('is generated once, stored as PKCS#8 PEM, and reloaded on the next start', async () => {
    const settings = memorySettings();
    const first = await loadOrCreateAuditKey(settings);
    expect(settings.values.get(AUDIT_KEY_SETTING)).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const second = await loadOrCreateAuditKey(settings);
    expect(second.keyId).toBe(first.keyId);
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(first.keyId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(keyIdOf(auditPublicKeyFromPem(first.publicKeyPem))).toBe(first.keyId);
  });

  it('prefers the configured key and does not copy it into the store', async () => {
    const settings = memorySettings();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = await loadOrCreateAuditKey(settings, pem);
    expect(key.keyId).toBe(auditKeyFromPem(pem, 'test').keyId);
    expect(settings.values.size).toBe(0);
  });

  it('refuses a key that is not Ed25519, without echoing it', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(loadOrCreateAuditKey(memorySettings(), rsa)).rejects.toMatchObject({ code: 'TENET_ERR_AUDIT_KEY_INVALID' });
    const error = await loadOrCreateAuditKey(memorySettings(), 'garbage-pem-text').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TENET_ERR_AUDIT_KEY_INVALID' });
    expect(String((error as Error).message)).not.toMatch(/garbage-pem-text/);
  });
});

describe('checkpoints', () => {
  it('sign the canonical statement {hash, seq, time}', async () => {
    const key = await loadOrCreateAuditKey(memorySettings());
    const checkpoint = signCheckpoint(key, head, new Date('2025-03-01T10:00:00Z'));
    expect(checkpoint).toMatchObject({ seq: 1000, hash: head.hash, time: '2025-03-01T10:00:00.000Z', keyId: key.keyId });
    expect(checkpointStatement(checkpoint).toString()).toBe(`{"hash":"${head.hash}","seq":1000,"time":"2025-03-01T10:00:00.000Z"}`);
    expect(verifyCheckpointSignature(checkpoint, [key.publicKey])).toBe(true);
  });

  it('do not verify when altered, or under another key', async () => {
    const key = await loadOrCreateAuditKey(memorySettings());
    const other = await loadOrCreateAuditKey(memorySettings());
    const checkpoint = signCheckpoint(key, head, new Date());
    expect(verifyCheckpointSignature({ ...checkpoint, seq: 999 }, [key.publicKey])).toBe(false);
    expect(verifyCheckpointSignature({ ...checkpoint, hash: 'b'.repeat(64) }, [key.publicKey])).toBe(false);
    expect(verifyCheckpointSignature(checkpoint, [other.publicKey])).toBe(false);
    // Claiming the trusted key's id does not help a signature made with another key.
    expect(verifyCheckpointSignature({ ...signCheckpoint(other, head, new Date()), keyId: key.keyId }, [key.publicKey])).toBe(false);
    expect(verifyCheckpointSignature(checkpoint, [other.publicKey, key.publicKey])).toBe(true);
  });
});
