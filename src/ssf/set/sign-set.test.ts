// SET signing: ES256 with kid and typ secevent+jwt (RFC 8417 §2.3), no sub/exp (SSF 1.0 §4.1),
// and the key's life cycle: generated once beside the database (mode 0600), reused, or from config.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSetSigner, SetSigner, SSF_SIGNING_KEY_FILE } from './sign-set.js';

const dir = mkdtempSync(join(tmpdir(), 'tenet-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SetSigner', () => {
  it('signs a SET that verifies against its JWKS, explicitly typed, without sub or exp', async () => {
    const signer = await SetSigner.ephemeral();
    const { jti, token } = await signer.sign({
      iss: 'https://tenet.example',
      aud: 'https://receiver.example',
      sub_id: { format: 'opaque', id: 's1' },
      events: { 'https://schemas.openid.net/secevent/ssf/event-type/verification': { state: 'x' } },
      txn: 't-1',
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: signer.keyId, typ: 'secevent+jwt' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(signer.jwks() as Parameters<typeof createLocalJWKSet>[0]), {
      issuer: 'https://tenet.example',
      audience: 'https://receiver.example',
      typ: 'secevent+jwt',
    });
    expect(payload).toMatchObject({ jti, txn: 't-1', sub_id: { format: 'opaque', id: 's1' } });
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('exp');
    const other = await SetSigner.ephemeral();
    await expect(jwtVerify(token, createLocalJWKSet(other.jwks() as Parameters<typeof createLocalJWKSet>[0]))).rejects.toThrow();
  });

  it('generates the key file beside the database once, mode 0600, and reuses it', async () => {
    const databasePath = join(dir, 'tenet.db');
    const first = await loadSetSigner({ databasePath });
    const keyPath = join(dir, SSF_SIGNING_KEY_FILE);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const second = await loadSetSigner({ databasePath });
    expect(second.keyId).toBe(first.keyId);
  });

  it('takes the configured key as PEM text or a file path, and refuses anything but P-256', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    const fromText = await loadSetSigner({ signingKey: pem, databasePath: ':memory:' });
    const path = join(dir, 'configured.pem');
    writeFileSync(path, pem, { mode: 0o600 });
    expect((await loadSetSigner({ signingKey: path, databasePath: ':memory:' })).keyId).toBe(fromText.keyId);
    await expect(loadSetSigner({ signingKey: join(dir, 'missing.pem'), databasePath: ':memory:' })).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_INVALID' });
    const rsa = await generateKeyPair('RS256', { extractable: true });
    await expect(SetSigner.fromPem(await exportPKCS8(rsa.privateKey))).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_INVALID' });
    await expect(SetSigner.fromPem('-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----')).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_INVALID' });
  });
});
