import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTenetError } from '../errors.js';
import { loadOrCreateAuditKeyFile } from './signing-key.js';

describe('loadOrCreateAuditKeyFile', () => {
  it('generates an Ed25519 key once, readable by its owner only, and reuses it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tenet-key-')), 'nested', 'audit-signing-key.pem');
    const first = loadOrCreateAuditKeyFile(path);
    expect(first.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateAuditKeyFile(path);
    expect(second.keyId).toBe(first.keyId);
    expect(readFileSync(path, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });

  it('refuses a file that is not an Ed25519 private key, without echoing it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tenet-key-')), 'audit-signing-key.pem');
    writeFileSync(path, 'not a key but a secret-ish string');
    let caught: unknown;
    try {
      loadOrCreateAuditKeyFile(path);
    } catch (error) {
      caught = error;
    }
    expect(isTenetError(caught) && caught.code).toBe('TENET_ERR_AUDIT_KEY_INVALID');
    expect(String((caught as Error).message)).not.toContain('secret-ish');
  });
});
