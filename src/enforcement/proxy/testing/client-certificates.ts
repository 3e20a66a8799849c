// Device-like client certificates for the mTLS tests: a test CA, and leaf certificates it signs
// (ECDSA P-256, no special extensions: the tests' verifiers map certificates to devices
// themselves), as PEM, DER and the private key.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { issueCertificate } from '../../../pki/issue-certificate.js';
import type { TestCa } from './test-pki.js';

export interface TestClientCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Buffer;
}

const DAY_MS = 86_400_000;

export function issueClientCertificate(ca: TestCa, cn: string): TestClientCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = issueCertificate({ subjectCn: cn, publicKey, notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + DAY_MS), ca: false, clientAuth: true, uris: [`urn:tenet:device:${cn}`] }, ca.issuer);
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), der: new X509Certificate(certPem).raw };
}
