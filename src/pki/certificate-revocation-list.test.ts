import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { issueCrl } from './certificate-revocation-list.js';
import { issueCertificate } from './issue-certificate.js';
import { opensslWorkspace } from './testing/openssl.js';

const workspace = opensslWorkspace();
afterAll(() => workspace.remove());

const thisUpdate = new Date('2026-01-01T00:00:00Z');
const nextUpdate = new Date(Date.now() + 3_600_000);

function ca(curve: 'P-256' | 'P-384', name: string) {
  const keys = generateKeyPairSync('ec', { namedCurve: curve });
  const issuer = { cn: 'Tenet device CA', ...keys };
  workspace.write(name, issueCertificate({ subjectCn: 'Tenet device CA', publicKey: keys.publicKey, notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: nextUpdate, ca: true }, issuer));
  return issuer;
}

describe('issueCrl', () => {
  it('issues a CRL that openssl parses and verifies, listing serials, reasons, CRL number and AKI', () => {
    const issuer = ca('P-256', 'ca.pem');
    const crl = issueCrl({
      issuer,
      thisUpdate,
      nextUpdate,
      crlNumber: 42n,
      revoked: [
        { serial: '0a1b2c3d', revokedAt: new Date('2026-01-01T00:00:00Z'), reason: 'keyCompromise' },
        { serial: '7f000001', revokedAt: new Date('2026-01-01T00:00:00Z') },
        { serial: '11', revokedAt: new Date('2026-01-01T00:00:00Z'), reason: 'not-a-reason' },
      ],
    });
    workspace.write('crl.der', crl);
    const result = workspace.attempt('crl', '-inform', 'DER', '-in', 'crl.der', '-CAfile', 'ca.pem', '-noout', '-text');
    expect(result.status).toBe(0);
    expect(result.stderr + result.stdout).toMatch(/verify OK/);
    expect(result.stdout).toMatch(/Version 2/);
    expect(result.stdout).toMatch(/X509v3 CRL Number:\s*\n\s*42/);
    expect(result.stdout).toMatch(/X509v3 Authority Key Identifier/);
    expect(result.stdout).toMatch(/Serial Number: 0A1B2C3D\s*\n\s*Revocation Date: Jan\s+1 00:00:00 2026 GMT\s*\n\s*CRL entry extensions:\s*\n\s*X509v3 CRL Reason Code:\s*\n\s*Key Compromise/);
    expect(result.stdout).toMatch(/Serial Number: 7F000001/);
    expect(result.stdout).toMatch(/Serial Number: 11/);
    expect(result.stdout.match(/CRL Reason Code/g)).toHaveLength(1);
  });

  it('fails verification against another CA with the same name', () => {
    const issuer = ca('P-256', 'ca-a.pem');
    ca('P-256', 'ca-b.pem');
    workspace.write('crl-a.der', issueCrl({ issuer, thisUpdate, nextUpdate, crlNumber: 1n, revoked: [] }));
    const result = workspace.attempt('crl', '-inform', 'DER', '-in', 'crl-a.der', '-CAfile', 'ca-b.pem', '-noout');
    expect(result.stderr + result.stdout).not.toMatch(/verify OK/);
  });

  it('issues an empty CRL with a large CRL number under a P-384 CA', () => {
    const issuer = ca('P-384', 'ca384.pem');
    workspace.write('crl384.der', issueCrl({ issuer, thisUpdate, nextUpdate, crlNumber: 2n ** 80n + 1n, revoked: [] }));
    const result = workspace.attempt('crl', '-inform', 'DER', '-in', 'crl384.der', '-CAfile', 'ca384.pem', '-noout', '-text');
    expect(result.stderr + result.stdout).toMatch(/verify OK/);
    expect(result.stdout).toMatch(/No Revoked Certificates/);
    expect(result.stdout).toMatch(/ecdsa-with-SHA384/);
    expect(result.stdout).toMatch(new RegExp(`CRL Number:\\s*\\n\\s*${(2n ** 80n + 1n).toString()}\\n`));
  });
});
