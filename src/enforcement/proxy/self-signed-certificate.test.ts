// The development certificate: what it certifies, that it is written once with a private key file
// only its owner can read, reused across starts, and regenerated when it no longer fits.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSelfSignedCertificate } from './self-signed-certificate.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tenet-self-signed-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('generateSelfSignedCertificate', () => {
  it('writes an ECDSA P-256 server certificate for loopback names and the hosts, with a 0600 key', async () => {
    const dir = freshDir();
    const { certPath, keyPath } = await generateSelfSignedCertificate(['app.localhost:8443', '*.apps.example', '[2001:db8::1]:443', '10.1.2.3'], dir);
    const certificate = new X509Certificate(readFileSync(certPath));
    const key = createPrivateKey(readFileSync(keyPath));
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.checkPrivateKey(key)).toBe(true);
    expect(certificate.ca).toBe(false);
    expect(certificate.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(certificate.subjectAltName?.split(', ')).toEqual([
      'DNS:localhost',
      'DNS:app.localhost',
      'DNS:*.apps.example',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
      'IP Address:2001:DB8:0:0:0:0:0:1',
      'IP Address:10.1.2.3',
    ]);
    expect(certificate.checkHost('app.localhost')).toBe('app.localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now() + 30 * 86_400_000);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
  });

  it('reuses the pair while it covers the requested hosts, and regenerates when it does not', async () => {
    const dir = freshDir();
    const first = await generateSelfSignedCertificate(['app.localhost'], dir);
    const firstPem = readFileSync(first.certPath, 'utf8');
    const again = await generateSelfSignedCertificate(['app.localhost'], dir);
    expect(again).toEqual(first);
    expect(readFileSync(again.certPath, 'utf8')).toBe(firstPem);
    const subset = await generateSelfSignedCertificate([], dir);
    expect(readFileSync(subset.certPath, 'utf8')).toBe(firstPem);
    const wider = await generateSelfSignedCertificate(['app.localhost', 'other.localhost'], dir);
    const widerPem = readFileSync(wider.certPath, 'utf8');
    expect(widerPem).not.toBe(firstPem);
    expect(new X509Certificate(widerPem).checkHost('other.localhost')).toBe('other.localhost');
  });

  it('regenerates when the key no longer matches the certificate', async () => {
    const dir = freshDir();
    const first = await generateSelfSignedCertificate([], dir);
    const firstPem = readFileSync(first.certPath, 'utf8');
    const other = await generateSelfSignedCertificate([], freshDir());
    writeFileSync(first.keyPath, readFileSync(other.keyPath));
    const repaired = await generateSelfSignedCertificate([], dir);
    expect(readFileSync(repaired.certPath, 'utf8')).not.toBe(firstPem);
    expect(new X509Certificate(readFileSync(repaired.certPath)).checkPrivateKey(createPrivateKey(readFileSync(repaired.keyPath)))).toBe(true);
  });
});
