// A throwaway PKI for TLS tests: a CA and server certificates it signs (ECDSA P-256), as PEM, made
// with the same issuer the proxy uses for its self-signed certificate.
import { generateKeyPairSync } from 'node:crypto';
import { issueCertificate, type CertificateIssuer } from '../../../pki/issue-certificate.js';

export interface TestCa {
  readonly certPem: string;
  readonly issuer: CertificateIssuer;
}

const DAY_MS = 86_400_000;

export function createTestCa(cn = 'Tenet test CA'): TestCa {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = { cn, publicKey, privateKey };
  const certPem = issueCertificate({ subjectCn: cn, publicKey, notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + DAY_MS), ca: true }, issuer);
  return { certPem, issuer };
}

export function issueServerCertificate(ca: TestCa, names: { dns?: string[]; ip?: string[] }): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = issueCertificate(
    {
      subjectCn: names.dns?.[0] ?? names.ip?.[0] ?? 'server',
      publicKey,
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
      ca: false,
      dnsNames: names.dns ?? [],
      ipAddresses: names.ip ?? [],
      serverAuth: true,
    },
    ca.issuer,
  );
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
