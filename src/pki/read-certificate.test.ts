import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { issueCertificate } from './issue-certificate.js';
import { readCertificate } from './read-certificate.js';
import { readPemBlocks } from './pem.js';
import { opensslWorkspace } from './testing/openssl.js';

const workspace = opensslWorkspace();
afterAll(() => workspace.remove());

describe('readCertificate', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notBefore = new Date('2030-01-02T03:04:05Z');
  const notAfter = new Date('2055-06-07T08:09:10Z');
  // URIs that Node's subjectAltName text would quote or escape.
  const uris = ['urn:tenet:device:a', 'spiffe://example.com/device/x,y', 'urn:x:"quoted", URI:fake'];
  const pem = issueCertificate({ subjectCn: 'r', publicKey: keys.publicKey, notBefore, notAfter, ca: false, uris, dnsNames: ['r.example'], serial: '00ff01' }, { cn: 'r', ...keys });

  it('reads the facts from PEM and DER alike', () => {
    const fromPem = readCertificate(pem);
    const fromDer = readCertificate(readPemBlocks(pem)?.[0]?.der ?? new Uint8Array());
    expect(fromDer.fingerprint).toBe(fromPem.fingerprint);
    expect(fromPem.serial).toBe('00ff01');
    expect(fromPem.uris).toEqual(uris);
    expect(fromPem.notBefore.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    // After 2049 the time is a GeneralizedTime (RFC 5280 §4.1.2.5).
    expect(fromPem.notAfter.toISOString()).toBe('2055-06-07T08:09:10.000Z');
    expect(fromPem.isCa).toBe(false);
    expect(fromPem.extendedKeyUsages).toBeUndefined();
  });

  it('agrees with openssl on serial and fingerprint', () => {
    workspace.write('read.pem', pem);
    const facts = readCertificate(pem);
    // openssl prints the value (leading zero octet dropped); Tenet keeps the encoded octets.
    expect(workspace.run('x509', '-in', 'read.pem', '-noout', '-serial').trim()).toBe('serial=FF01');
    const fingerprint = workspace.run('x509', '-in', 'read.pem', '-noout', '-fingerprint', '-sha256').trim().split('=')[1]?.replaceAll(':', '').toLowerCase();
    expect(fingerprint).toBe(facts.fingerprint);
  });

  it('reports a CA and a certificate without SANs', () => {
    const ca = readCertificate(issueCertificate({ subjectCn: 'ca', publicKey: keys.publicKey, notBefore, notAfter, ca: true }, { cn: 'ca', ...keys }));
    expect(ca.isCa).toBe(true);
    expect(ca.uris).toEqual([]);
    const client = readCertificate(issueCertificate({ subjectCn: 'c', publicKey: keys.publicKey, notBefore, notAfter, ca: false, clientAuth: true }, { cn: 'ca', ...keys }));
    expect(client.extendedKeyUsages).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('throws on garbage', () => {
    expect(() => readCertificate(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => readCertificate('not a certificate')).toThrow();
  });
});
