import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { postureClaimsSchema, renewalClaimsSchema, type PostureFacts } from '../devices/protocol.js';
import { issueCertificate } from '../pki/issue-certificate.js';
import { createTestCa } from '../enforcement/proxy/testing/test-pki.js';
import { signPostureReport, signRenewalRequest, type DeviceSigner } from './signed-message.js';

const FACTS: PostureFacts = { os: 'linux', osVersion: '6.1.0', diskEncrypted: true, firewallEnabled: null, screenLockEnabled: null, lastPackageUpdateAt: null, agentVersion: '0.1.0' };

function signer(): DeviceSigner & { certificate: X509Certificate } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificatePem = issueCertificate({ subjectCn: 'dev-42', publicKey, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000), ca: false }, createTestCa().issuer);
  return { deviceId: 'dev-42', server: 'https://tenet.example:8443', privateKey, certificatePem, certificate: new X509Certificate(certificatePem) };
}

describe('signed device messages', () => {
  it('a posture report is an ES256 compact JWS with typ, x5c and the protocol claims, verifiable with the certificate key', async () => {
    const device = signer();
    const now = new Date('2025-03-04T05:06:07Z');
    const jws = await signPostureReport(device, FACTS, new Date('2025-03-04T05:06:00Z'), now);
    const header = decodeProtectedHeader(jws);
    expect(header).toEqual({ alg: 'ES256', typ: 'tenet-posture+jwt', x5c: [device.certificate.raw.toString('base64')] });
    const { payload } = await compactVerify(jws, device.certificate.publicKey, { algorithms: ['ES256'] });
    const claims = postureClaimsSchema.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
    expect(claims).toMatchObject({ iss: 'dev-42', aud: 'https://tenet.example:8443/.tenet/device/posture', iat: Math.floor(now.getTime() / 1000), posture: { observedAt: '2025-03-04T05:06:00.000Z', facts: FACTS } });
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('each message has its own jti', async () => {
    const device = signer();
    const jti = async () => (JSON.parse(Buffer.from((await compactVerify(await signPostureReport(device, FACTS, new Date()), device.certificate.publicKey)).payload).toString()) as { jti: string }).jti;
    expect(await jti()).not.toBe(await jti());
  });

  it('does not verify with another key', async () => {
    const jws = await signPostureReport(signer(), FACTS, new Date());
    await expect(compactVerify(jws, signer().certificate.publicKey)).rejects.toThrow();
  });

  it('a renewal request carries the CSR, typ tenet-renewal+jwt, and the renew endpoint as audience', async () => {
    const device = signer();
    const jws = await signRenewalRequest(device, '-----BEGIN CERTIFICATE REQUEST-----\nx\n-----END CERTIFICATE REQUEST-----\n');
    expect(decodeProtectedHeader(jws).typ).toBe('tenet-renewal+jwt');
    const claims = renewalClaimsSchema.parse(JSON.parse(Buffer.from((await compactVerify(jws, device.certificate.publicKey)).payload).toString()));
    expect(claims.aud).toBe('https://tenet.example:8443/.tenet/device/renew');
    expect(claims.csr).toContain('CERTIFICATE REQUEST');
  });
});
