import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devicesSchema } from '../../config/devices-schema.js';
import { issuerFromCertificate } from '../../pki/certificate-issuer.js';
import { issueCertificateDer, type CertificateTemplate } from '../../pki/issue-certificate.js';
import { readPemBlocks } from '../../pki/pem.js';
import { readCertificate } from '../../pki/read-certificate.js';
import { opensslWorkspace } from '../../pki/testing/openssl.js';
import { DeviceCertificateAuthority } from './device-ca.js';
import { DEVICE_CA_KEY_FILE } from './device-ca-files.js';
import { CachingDeviceCertificateVerifier } from './device-certificate-verifier.js';

const workspace = opensslWorkspace('tenet-device-verify-');
afterAll(() => workspace.remove());

const PREFIX = 'urn:tenet:device:';
const ISSUED_AT = new Date('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const pki = devicesSchema.parse({ pki: {} }).pki ?? (() => { throw new Error('no pki'); })();

let authority: DeviceCertificateAuthority;
/** The same CA's key, to make certificates the CA would never issue itself. */
let caIssuer: ReturnType<typeof issuerFromCertificate>;

function files(name: string) {
  return { directory: join(workspace.dir, name), resolve: (path: string) => join(workspace.dir, path) };
}

beforeAll(async () => {
  authority = await DeviceCertificateAuthority.open(pki, files('ca'), () => ISSUED_AT);
  const key = createPrivateKey(readFileSync(join(workspace.dir, 'ca', DEVICE_CA_KEY_FILE), 'utf8'));
  caIssuer = issuerFromCertificate(readCertificate(authority.caCertificatePem).x509, key);
});

function deviceKey() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

function issueDevice(deviceId = 'laptop-7', lifetimeSeconds = 3600): { der: Buffer; serial: string; notAfter: Date } {
  return authority.issue({ deviceId, publicKey: deviceKey().publicKey, lifetimeSeconds });
}

/** A certificate signed by the device CA's key with a template the CA itself would not use. */
function custom(overrides: Partial<CertificateTemplate>): Buffer {
  const template: CertificateTemplate = { subjectCn: 'custom', publicKey: deviceKey().publicKey, notBefore: new Date(ISSUED_AT.getTime() - HOUR), notAfter: new Date(ISSUED_AT.getTime() + HOUR), ca: false, clientAuth: true, uris: [`${PREFIX}custom-1`] };
  return Buffer.from(issueCertificateDer({ ...template, ...overrides }, caIssuer));
}

function verifier(options: { revoked?: Set<string>; now?: () => Date; cacheSize?: number; anchors?: readonly string[]; prefix?: string } = {}) {
  const revoked = options.revoked ?? new Set<string>();
  return new CachingDeviceCertificateVerifier({
    trustAnchorsPem: options.anchors ?? authority.trustAnchorsPem,
    deviceIdUriPrefix: options.prefix ?? PREFIX,
    isRevoked: (serial) => revoked.has(serial),
    clock: options.now ?? (() => new Date(ISSUED_AT.getTime() + 60_000)),
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
  });
}

describe('CachingDeviceCertificateVerifier', () => {
  it('accepts a certificate the device CA issued and names the device', () => {
    const issued = issueDevice('laptop-7');
    expect(verifier().verify(issued.der)).toEqual({ ok: true, deviceId: 'laptop-7', serial: issued.serial, notAfter: issued.notAfter });
  });

  it('checks time on every call, cached or not: expired and not yet valid', () => {
    const issued = issueDevice('laptop-7', 3600);
    let now = new Date(ISSUED_AT.getTime() + 60_000);
    const check = verifier({ now: () => now });
    expect(check.verify(issued.der).ok).toBe(true);
    now = new Date(issued.notAfter.getTime() + 1000);
    expect(check.verify(issued.der)).toMatchObject({ ok: false, problem: 'expired' });
    // notBefore is five minutes before issue (clock skew); earlier than that is not yet valid.
    now = new Date(ISSUED_AT.getTime() - 4 * 60_000);
    expect(check.verify(issued.der).ok).toBe(true);
    now = new Date(ISSUED_AT.getTime() - 6 * 60_000);
    expect(check.verify(issued.der)).toMatchObject({ ok: false, problem: 'not-yet-valid' });
  });

  it('sees a revocation on the next call for a cached certificate, and fails closed when revocation cannot be read', () => {
    const issued = issueDevice();
    const revoked = new Set<string>();
    const check = verifier({ revoked });
    expect(check.verify(issued.der).ok).toBe(true);
    revoked.add(issued.serial);
    expect(check.verify(issued.der)).toEqual({ ok: false, problem: 'revoked', detail: `serial ${issued.serial} is revoked` });
    revoked.delete(issued.serial);
    expect(check.verify(issued.der).ok).toBe(true);
    const broken = new CachingDeviceCertificateVerifier({ trustAnchorsPem: authority.trustAnchorsPem, deviceIdUriPrefix: PREFIX, isRevoked: () => { throw new Error('store down'); }, clock: () => ISSUED_AT });
    expect(broken.verify(issued.der)).toMatchObject({ ok: false, problem: 'revoked', detail: 'revocation status unavailable' });
  });

  it('refuses a certificate from another CA with the same name', async () => {
    const other = await DeviceCertificateAuthority.open(pki, files('other-ca'), () => ISSUED_AT);
    expect(readCertificate(other.caCertificatePem).x509.subject).toBe(readCertificate(authority.caCertificatePem).x509.subject);
    const foreign = other.issue({ deviceId: 'laptop-7', publicKey: deviceKey().publicKey, lifetimeSeconds: 3600 });
    expect(verifier().verify(foreign.der)).toMatchObject({ ok: false, problem: 'untrusted-issuer' });
    // …and the same certificate is accepted by a verifier that trusts that CA.
    expect(verifier({ anchors: other.trustAnchorsPem }).verify(foreign.der).ok).toBe(true);
  });

  it('refuses a CA certificate presented as a device certificate, even the anchor itself', () => {
    const anchorDer = readCertificate(authority.caCertificatePem).der;
    expect(verifier().verify(anchorDer)).toMatchObject({ ok: false, problem: 'untrusted-issuer', detail: 'a CA certificate is not a device certificate' });
    expect(verifier().verify(custom({ ca: true }))).toMatchObject({ ok: false, problem: 'untrusted-issuer' });
  });

  it('refuses a certificate not meant for TLS clients', () => {
    expect(verifier().verify(custom({ clientAuth: false, serverAuth: true }))).toMatchObject({ ok: false, problem: 'untrusted-issuer', detail: 'not a TLS client certificate (extendedKeyUsage)' });
    // No extendedKeyUsage at all means any purpose (RFC 5280 §4.2.1.12).
    expect(verifier().verify(custom({ clientAuth: false })).ok).toBe(true);
  });

  it('needs exactly one canonical device URI under the configured prefix', () => {
    expect(verifier().verify(custom({ uris: [] }))).toMatchObject({ ok: false, problem: 'no-device-id', detail: 'no device id URI' });
    expect(verifier().verify(custom({ uris: ['spiffe://example.com/device/laptop-7'] }))).toMatchObject({ ok: false, problem: 'no-device-id' });
    expect(verifier().verify(custom({ uris: [`${PREFIX}a`, `${PREFIX}b`] }))).toMatchObject({ ok: false, problem: 'no-device-id', detail: 'more than one device id URI' });
    expect(verifier().verify(custom({ uris: [`${PREFIX}a%2Fb`] }))).toMatchObject({ ok: false, problem: 'no-device-id', detail: 'device id URI is not valid' });
    expect(verifier().verify(custom({ uris: ['https://example.com/other', `${PREFIX}laptop-9`] }))).toMatchObject({ ok: true, deviceId: 'laptop-9' });
    const issued = issueDevice('laptop-7');
    expect(verifier({ prefix: 'spiffe://example.com/device/' }).verify(issued.der)).toMatchObject({ ok: false, problem: 'no-device-id' });
  });

  it('calls garbage, PEM text and trailing bytes malformed', () => {
    const issued = issueDevice();
    expect(verifier().verify(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toEqual({ ok: false, problem: 'malformed', detail: 'not a DER X.509 certificate' });
    expect(verifier().verify(new Uint8Array())).toMatchObject({ ok: false, problem: 'malformed' });
    const pem = readCertificate(issued.der).x509.toString();
    expect(verifier().verify(Buffer.from(pem))).toMatchObject({ ok: false, problem: 'malformed' });
    expect(verifier().verify(Buffer.concat([issued.der, Buffer.from([0])]))).toMatchObject({ ok: false, problem: 'malformed' });
    const tampered = Buffer.from(issued.der);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0x01;
    expect(verifier().verify(tampered)).toMatchObject({ ok: false, problem: 'untrusted-issuer' });
  });

  it('refuses an unreadable trust anchor at construction', () => {
    expect(() => verifier({ anchors: ['not a certificate'] })).toThrow(/trust anchor 1 is not a readable certificate/);
  });

  it('stays correct when the cache is smaller than the set of certificates', () => {
    const a = issueDevice('device-a');
    const b = issueDevice('device-b');
    const revoked = new Set<string>();
    const check = verifier({ cacheSize: 1, revoked });
    for (let round = 0; round < 3; round += 1) {
      expect(check.verify(a.der)).toMatchObject({ ok: true, deviceId: 'device-a' });
      expect(check.verify(b.der)).toMatchObject({ ok: true, deviceId: 'device-b' });
    }
    revoked.add(a.serial);
    expect(check.verify(a.der)).toMatchObject({ ok: false, problem: 'revoked' });
  });

  it('accepts a device certificate openssl issued with the same CA key (interop)', () => {
    const keys = deviceKey();
    workspace.write('interop-device.pub', keys.publicKey.export({ type: 'spki', format: 'pem' }));
    workspace.write('interop-ca.pem', authority.caCertificatePem);
    workspace.write('interop-ext.cnf', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
      `subjectAltName=URI:${PREFIX}laptop-9`,
      'authorityKeyIdentifier=keyid',
    ].join('\n'));
    workspace.run('x509', '-new', '-force_pubkey', 'interop-device.pub', '-subj', '/CN=laptop-9', '-CA', 'interop-ca.pem', '-CAkey', join(workspace.dir, 'ca', DEVICE_CA_KEY_FILE),
      '-extfile', 'interop-ext.cnf', '-days', '1', '-out', 'interop-leaf.pem');
    const der = readPemBlocks(workspace.read('interop-leaf.pem'))?.[0]?.der ?? Buffer.alloc(0);
    expect(verifier({ now: () => new Date() }).verify(der)).toMatchObject({ ok: true, deviceId: 'laptop-9' });
    expect(readCertificate(der).x509.publicKey.export({ type: 'spki', format: 'pem' })).toBe(keys.publicKey.export({ type: 'spki', format: 'pem' }));
  });
});
