import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { issuerFromCertificate } from './certificate-issuer.js';
import { issueCertificate } from './issue-certificate.js';
import { readCertificate } from './read-certificate.js';
import { opensslWorkspace } from './testing/openssl.js';

const workspace = opensslWorkspace();
afterAll(() => workspace.remove());

const HOUR = 3_600_000;
const now = Date.now();

function leafKeys() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

describe('issueCertificate', () => {
  it('issues a client certificate with URI SAN, clientAuth and the given serial under a P-384 CA, which openssl verifies', () => {
    const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const issuer = { cn: 'P-384 test CA', ...caKeys };
    const caPem = issueCertificate({ subjectCn: 'P-384 test CA', publicKey: caKeys.publicKey, notBefore: new Date(now - HOUR), notAfter: new Date(now + HOUR), ca: true }, issuer);
    const leaf = leafKeys();
    const leafPem = issueCertificate(
      { subjectCn: 'laptop-1', publicKey: leaf.publicKey, notBefore: new Date(now - HOUR), notAfter: new Date(now + HOUR), ca: false, uris: ['urn:tenet:device:laptop-1'], clientAuth: true, serial: '0a1b2c' },
      issuer,
    );
    workspace.write('p384-ca.pem', caPem);
    workspace.write('p384-leaf.pem', leafPem);
    expect(workspace.run('verify', '-CAfile', 'p384-ca.pem', '-purpose', 'sslclient', 'p384-leaf.pem')).toMatch(/p384-leaf.pem: OK/);
    const text = workspace.run('x509', '-in', 'p384-leaf.pem', '-noout', '-text');
    expect(text).toMatch(/ecdsa-with-SHA384/);
    expect(text).toMatch(/TLS Web Client Authentication/);
    expect(text).toMatch(/URI:urn:tenet:device:laptop-1/);
    expect(readCertificate(leafPem).serial).toBe('0a1b2c');
  });

  it('refuses a serial that is negative or not minimal', () => {
    const keys = leafKeys();
    const template = { subjectCn: 'x', publicKey: keys.publicKey, notBefore: new Date(now), notAfter: new Date(now + HOUR), ca: false };
    expect(() => issueCertificate({ ...template, serial: '80' }, { cn: 'x', ...keys })).toThrow(/positive/);
    expect(() => issueCertificate({ ...template, serial: '0001' }, { cn: 'x', ...keys })).toThrow(/minimal/);
    expect(() => issueCertificate({ ...template, serial: 'xyz' }, { cn: 'x', ...keys })).toThrow(/hex/);
  });

  it('signs for an external CA with a full distinguished name and its own key identifier (openssl-made)', () => {
    workspace.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ext-ca.key', '-out', 'ext-ca.pem', '-days', '2',
      '-subj', '/C=NL/O=Example Corp/OU=Devices/CN=Example Device CA', '-addext', 'subjectKeyIdentifier=00112233445566778899', '-addext', 'authorityKeyIdentifier=keyid', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    const issuer = issuerFromCertificate(new X509Certificate(workspace.read('ext-ca.pem')), createPrivateKey(workspace.read('ext-ca.key')));
    const leaf = leafKeys();
    workspace.write('ext-leaf.pem', issueCertificate({ subjectCn: 'laptop-2', publicKey: leaf.publicKey, notBefore: new Date(now - HOUR), notAfter: new Date(now + HOUR), ca: false, clientAuth: true }, issuer));
    expect(workspace.run('verify', '-CAfile', 'ext-ca.pem', '-purpose', 'sslclient', 'ext-leaf.pem')).toMatch(/ext-leaf.pem: OK/);
    expect(workspace.run('x509', '-in', 'ext-leaf.pem', '-noout', '-issuer')).toMatch(/O\s*=\s*Example Corp, OU\s*=\s*Devices, CN\s*=\s*Example Device CA/);
  });
});
