import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devicesSchema, type DevicePkiConfig } from '../../config/devices-schema.js';
import { TenetError } from '../../errors.js';
import { readCertificate } from '../../pki/read-certificate.js';
import { opensslWorkspace } from '../../pki/testing/openssl.js';
import { DeviceCertificateAuthority } from './device-ca.js';
import { DEVICE_CA_CERT_FILE, DEVICE_CA_KEY_FILE } from './device-ca-files.js';

const workspace = opensslWorkspace('tenet-device-ca-');
afterAll(() => workspace.remove());

const NOW = new Date('2026-03-01T12:00:00Z');
const clock = () => NOW;
let directories = 0;

function pkiConfig(pki: Record<string, unknown> = {}): DevicePkiConfig {
  const config = devicesSchema.parse({ pki }).pki;
  if (config === undefined) throw new Error('no pki config');
  return config;
}

function files(directory = join(workspace.dir, `data-${++directories}`)) {
  return { directory, resolve: (path: string) => join(workspace.dir, path) };
}

async function expectTenetError(promise: Promise<unknown> | (() => unknown), code: string, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TenetError);
  expect((caught as TenetError).code).toBe(code);
  expect((caught as TenetError).message).toMatch(message);
}

const deviceKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

describe('DeviceCertificateAuthority builtin', () => {
  it('generates a 10-year P-256 CA on first start, with a 0600 key, and reuses it after', async () => {
    const where = files();
    const first = await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    expect(first.canIssue).toBe(true);
    expect(statSync(join(where.directory, DEVICE_CA_KEY_FILE)).mode & 0o777).toBe(0o600);
    const ca = readCertificate(first.caCertificatePem);
    expect(ca.isCa).toBe(true);
    expect(ca.x509.subject).toBe('CN=Tenet device CA');
    expect(ca.notAfter.getUTCFullYear()).toBe(2036);
    workspace.write('builtin-ca.pem', first.caCertificatePem);
    const text = workspace.run('x509', '-in', 'builtin-ca.pem', '-noout', '-text');
    expect(text).toMatch(/Key Usage: critical\s*\n\s*Certificate Sign, CRL Sign/);
    expect(text).toMatch(/prime256v1/);
    const second = await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    expect(second.caCertificatePem).toBe(first.caCertificatePem);
    expect(second.trustAnchorsPem).toEqual([first.caCertificatePem]);
  });

  it('refuses a key file readable by group or others', async () => {
    const where = files();
    await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    chmodSync(join(where.directory, DEVICE_CA_KEY_FILE), 0o640);
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig(), where, clock), 'TENET_ERR_CONFIG_DEVICE_CA_KEY_EXPOSED', /readable by group or others \(mode 640\).*chmod 600/);
  });

  it('certifies a key left without its certificate (crash between the two writes)', async () => {
    const where = files();
    const first = await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    const keyPem = readFileSync(join(where.directory, DEVICE_CA_KEY_FILE), 'utf8');
    rmSync(join(where.directory, DEVICE_CA_CERT_FILE));
    const again = await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    expect(again.caCertificatePem).not.toBe(first.caCertificatePem);
    expect(new X509Certificate(again.caCertificatePem).checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(readFileSync(join(where.directory, DEVICE_CA_KEY_FILE), 'utf8')).toBe(keyPem);
  });

  it('refuses a certificate without its key, and a certificate of another key', async () => {
    const where = files();
    await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    const keyPath = join(where.directory, DEVICE_CA_KEY_FILE);
    const keyPem = readFileSync(keyPath, 'utf8');
    rmSync(keyPath);
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig(), where, clock), 'TENET_ERR_CONFIG_DEVICE_CA_KEY_MISSING', /restore the key/);
    writeFileSync(keyPath, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig(), where, clock), 'TENET_ERR_CONFIG_DEVICE_CA_INVALID', /does not belong to/);
    expect(keyPem).not.toBe(readFileSync(keyPath, 'utf8'));
  });

  it('issues device certificates that openssl verifies for TLS client use', async () => {
    const where = files();
    const authority = await DeviceCertificateAuthority.open(pkiConfig(), where, clock);
    const issued = authority.issue({ deviceId: 'laptop-7', publicKey: deviceKey(), lifetimeSeconds: 7 * 86_400 });
    expect(issued.notBefore.toISOString()).toBe('2026-03-01T11:55:00.000Z');
    expect(issued.notAfter.toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(issued.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    const facts = readCertificate(issued.pem);
    expect(facts.fingerprint).toBe(issued.fingerprint);
    expect(facts.der.equals(issued.der)).toBe(true);
    expect(facts.uris).toEqual(['urn:tenet:device:laptop-7']);
    expect(facts.x509.subject).toBe('CN=laptop-7');
    expect(facts.isCa).toBe(false);
    workspace.write('issued-ca.pem', authority.caCertificatePem);
    workspace.write('issued-leaf.pem', issued.pem);
    const at = String(Math.floor(NOW.getTime() / 1000));
    expect(workspace.run('verify', '-attime', at, '-CAfile', 'issued-ca.pem', '-purpose', 'sslclient', 'issued-leaf.pem')).toMatch(/OK/);
    expect(workspace.attempt('verify', '-attime', at, '-CAfile', 'issued-ca.pem', '-purpose', 'sslserver', 'issued-leaf.pem').status).not.toBe(0);
    expect(workspace.run('x509', '-in', 'issued-leaf.pem', '-noout', '-text')).toMatch(/Key Usage: critical\s*\n\s*Digital Signature/);
  });

  it('refuses bad device ids, non-P-256 keys and bad lifetimes', async () => {
    const authority = await DeviceCertificateAuthority.open(pkiConfig(), files(), clock);
    for (const deviceId of ['', 'a/b', 'x'.repeat(129), 'laptop 7']) {
      await expectTenetError(() => authority.issue({ deviceId, publicKey: deviceKey(), lifetimeSeconds: 60 }), 'TENET_ERR_DEVICE_ID_INVALID', /device id/);
    }
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    await expectTenetError(() => authority.issue({ deviceId: 'a', publicKey: p384, lifetimeSeconds: 60 }), 'TENET_ERR_DEVICE_KEY_INVALID', /P-256/);
    await expectTenetError(() => authority.issue({ deviceId: 'a', publicKey: deviceKey(), lifetimeSeconds: 0 }), 'TENET_ERR_DEVICE_LIFETIME_INVALID', /positive/);
  });

  it('signs CRLs valid for crlLifetime from now, which openssl verifies', async () => {
    const authority = await DeviceCertificateAuthority.open(pkiConfig({ crlLifetime: '2h' }), files(), clock);
    const issued = authority.issue({ deviceId: 'laptop-7', publicKey: deviceKey(), lifetimeSeconds: 3600 });
    workspace.write('crl-ca.pem', authority.caCertificatePem);
    workspace.write('device.crl', authority.crl([{ serial: issued.serial, revokedAt: '2026-03-01T11:00:00.000Z', reason: 'superseded' }], 7n));
    const result = workspace.attempt('crl', '-inform', 'DER', '-in', 'device.crl', '-CAfile', 'crl-ca.pem', '-noout', '-text');
    expect(result.stderr + result.stdout).toMatch(/verify OK/);
    expect(result.stdout).toMatch(/Last Update: Mar\s+1 12:00:00 2026 GMT/);
    expect(result.stdout).toMatch(/Next Update: Mar\s+1 14:00:00 2026 GMT/);
    expect(result.stdout).toContain(`Serial Number: ${issued.serial.toUpperCase()}`);
    expect(result.stdout).toMatch(/Superseded/);
  });
});

describe('DeviceCertificateAuthority external and verify-only', () => {
  workspace.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'corp-ca.key', '-out', 'corp-ca.pem', '-days', '3650',
    '-subj', '/C=NL/O=Example Corp/CN=Example Device CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  chmodSync(join(workspace.dir, 'corp-ca.key'), 0o600);

  it('issues with an external P-384 CA under its full name, verified by openssl', async () => {
    const authority = await DeviceCertificateAuthority.open(pkiConfig({ mode: 'external', caCertificate: 'corp-ca.pem', caKey: 'corp-ca.key', deviceIdUriPrefix: 'spiffe://example.com/device/' }), files());
    const issued = authority.issue({ deviceId: 'build-agent.3', publicKey: deviceKey(), lifetimeSeconds: 3600 });
    workspace.write('corp-leaf.pem', issued.pem);
    expect(workspace.run('verify', '-CAfile', 'corp-ca.pem', '-purpose', 'sslclient', 'corp-leaf.pem')).toMatch(/OK/);
    expect(readCertificate(issued.pem).uris).toEqual(['spiffe://example.com/device/build-agent.3']);
    expect(existsSync(join(workspace.dir, `data-${directories}`))).toBe(false);
  });

  it('refuses a key that does not match, a missing key setting, and a non-CA certificate', async () => {
    workspace.write('other.key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    chmodSync(join(workspace.dir, 'other.key'), 0o600);
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig({ mode: 'external', caCertificate: 'corp-ca.pem', caKey: 'other.key' }), files()), 'TENET_ERR_CONFIG_DEVICE_CA_INVALID', /does not belong to the key in/);
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig({ mode: 'external', caCertificate: 'corp-ca.pem' }), files()), 'TENET_ERR_CONFIG_DEVICE_CA_MISSING', /caKey/);
    const leaf = (await DeviceCertificateAuthority.open(pkiConfig(), files(), clock)).issue({ deviceId: 'x', publicKey: deviceKey(), lifetimeSeconds: 60 });
    workspace.write('leaf-bundle.pem', leaf.pem);
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig({ mode: 'verify-only', caCertificate: 'leaf-bundle.pem' }), files()), 'TENET_ERR_CONFIG_DEVICE_CA_INVALID', /not a CA certificate/);
  });

  it('verify-only trusts every certificate of the bundle and cannot issue', async () => {
    const builtin = await DeviceCertificateAuthority.open(pkiConfig(), files(), clock);
    workspace.write('bundle.pem', `${workspace.read('corp-ca.pem')}${builtin.caCertificatePem}`);
    const authority = await DeviceCertificateAuthority.open(pkiConfig({ mode: 'verify-only', caCertificate: 'bundle.pem' }), files());
    expect(authority.canIssue).toBe(false);
    expect(authority.trustAnchorsPem).toHaveLength(2);
    expect(authority.trustAnchorsPem[1]).toBe(builtin.caCertificatePem);
    await expectTenetError(() => authority.issue({ deviceId: 'x', publicKey: deviceKey(), lifetimeSeconds: 60 }), 'TENET_ERR_DEVICE_CA_CANNOT_ISSUE', /verify-only/);
    await expectTenetError(() => authority.crl([], 1n), 'TENET_ERR_DEVICE_CA_CANNOT_ISSUE', /verify-only/);
    workspace.write('garbage-bundle.pem', 'hello');
    await expectTenetError(DeviceCertificateAuthority.open(pkiConfig({ mode: 'verify-only', caCertificate: 'garbage-bundle.pem' }), files()), 'TENET_ERR_CONFIG_DEVICE_CA_INVALID', /PEM CERTIFICATE/);
  });
});
