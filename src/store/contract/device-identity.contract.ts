// Contract tests for DeviceIdentityStore: certificates and their revocation (first revocation
// wins, the CRL view), enrollments (user codes, first decision wins, expiry), single-use enrollment
// tokens, and replay memory for signed report ids. Times are passed explicitly.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeviceCertificateRecord, DeviceEnrollment, EnrollmentToken } from '../../devices/device-identity.js';
import { useFreshStore, type OpenStore } from './harness.js';

const hex = (label: string): string => createHash('sha256').update(label).digest('hex');

const T0 = '2026-01-01T10:00:00.000Z';
const T1 = '2026-01-01T10:05:00.000Z';
const T2 = '2026-01-01T10:20:00.000Z';
const WEEK = '2026-01-08T10:00:00.000Z';
const LATER = '2026-02-01T00:00:00.000Z';

function certificate(serial: string, deviceId: string, overrides: Partial<DeviceCertificateRecord> = {}): DeviceCertificateRecord {
  return { serial, deviceId, fingerprint: hex(serial), pem: `-----BEGIN CERTIFICATE-----\n${serial}\n-----END CERTIFICATE-----\n`, notBefore: T0, notAfter: WEEK, issuedAt: T0, ...overrides };
}

function enrollment(label: string, userCode: string, overrides: Partial<DeviceEnrollment> = {}): DeviceEnrollment {
  return { id: hex(label), userCode, csrPem: 'csr', description: { hostname: 'laptop-1', os: 'linux' }, status: 'pending', createdAt: T0, expiresAt: '2026-01-01T10:10:00.000Z', ...overrides };
}

function token(label: string, overrides: Partial<EnrollmentToken> = {}): EnrollmentToken {
  return { id: hex(label), owner: { type: 'User', id: 'alice' }, managed: true, createdAt: T0, expiresAt: '2026-01-02T10:00:00.000Z', createdBy: 'admin', ...overrides };
}

export function deviceIdentityContract(open: OpenStore): void {
  describe('device identity', () => {
    const store = useFreshStore(open);

    it('round-trips certificates, lists a device\'s newest first, refuses a duplicate serial', async () => {
      const ids = store().deviceIdentity;
      await ids.putCertificate(certificate('0a', 'dev-1'));
      await ids.putCertificate(certificate('0b', 'dev-1', { issuedAt: T1 }));
      await ids.putCertificate(certificate('0c', 'dev-2'));
      expect(await ids.getCertificate('0a')).toEqual(certificate('0a', 'dev-1'));
      expect(await ids.getCertificate('ff')).toBeUndefined();
      expect((await ids.listCertificates('dev-1')).map((c) => c.serial)).toEqual(['0b', '0a']);
      await expect(ids.putCertificate(certificate('0a', 'dev-3', { fingerprint: hex('other') }))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
    });

    it('keeps the first revocation, revokes a device\'s certificates at once, and lists revoked unexpired ones', async () => {
      const ids = store().deviceIdentity;
      await ids.putCertificate(certificate('01', 'dev-1'));
      await ids.putCertificate(certificate('02', 'dev-1'));
      await ids.putCertificate(certificate('03', 'dev-2', { notAfter: T2 }));
      expect(await ids.revokeCertificate('03', T1, 'keyCompromise')).toBe(true);
      expect(await ids.revokeCertificate('03', T2, 'superseded')).toBe(false);
      expect(await ids.revokeCertificate('99', T1, 'superseded')).toBe(false);
      expect(await ids.getCertificate('03')).toMatchObject({ revokedAt: T1, revocationReason: 'keyCompromise' });
      expect(await ids.revokeDeviceCertificates('dev-1', T2, 'cessationOfOperation')).toEqual(['01', '02']);
      expect(await ids.revokeDeviceCertificates('dev-1', LATER, 'cessationOfOperation')).toEqual([]);
      expect((await ids.listRevoked(T1)).map((c) => c.serial)).toEqual(['01', '02', '03']);
      // Once a revoked certificate has expired, the CRL need not list it (RFC 5280 §3.3).
      expect((await ids.listRevoked(T2)).map((c) => c.serial)).toEqual(['01', '02']);
    });

    it('finds a pending enrollment by user code (any case) until it expires or is decided', async () => {
      const ids = store().deviceIdentity;
      await ids.putEnrollment(enrollment('e1', 'ABCD-EFGH'));
      expect(await ids.findPendingByUserCode('abcd-efgh', T1)).toEqual(enrollment('e1', 'ABCD-EFGH'));
      expect(await ids.findPendingByUserCode('ABCD-EFGH', T2)).toBeUndefined();
      expect((await ids.listPendingEnrollments(T1)).map((e) => e.userCode)).toEqual(['ABCD-EFGH']);
      expect(await ids.listPendingEnrollments(T2)).toEqual([]);
      // Two pending enrollments cannot share a code.
      await expect(ids.putEnrollment(enrollment('e2', 'ABCD-EFGH'))).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CONFLICT' });
    });

    it('lets the first decision win and refuses to decide an expired enrollment', async () => {
      const ids = store().deviceIdentity;
      await ids.putEnrollment(enrollment('e1', 'AAAA-BBBB'));
      await ids.putEnrollment(enrollment('e2', 'CCCC-DDDD'));
      const approver = { type: 'User', id: 'alice' };
      expect(await ids.decideEnrollment(hex('e1'), { status: 'approved', deviceId: 'dev-9', approvedBy: approver, certificateSerial: '0f' }, T1)).toBe(true);
      expect(await ids.decideEnrollment(hex('e1'), { status: 'denied' }, T1)).toBe(false);
      expect(await ids.getEnrollment(hex('e1'))).toMatchObject({ status: 'approved', deviceId: 'dev-9', approvedBy: approver, certificateSerial: '0f' });
      expect(await ids.findPendingByUserCode('AAAA-BBBB', T1)).toBeUndefined();
      expect(await ids.decideEnrollment(hex('e2'), { status: 'approved', deviceId: 'dev-10' }, T2)).toBe(false);
      expect(await ids.getEnrollment(hex('e2'))).toMatchObject({ status: 'pending' });
      // A decided code may be reused by a new pending enrollment.
      await ids.putEnrollment(enrollment('e3', 'AAAA-BBBB'));
    });

    it('uses an enrollment token once, and never after it expires', async () => {
      const ids = store().deviceIdentity;
      await ids.putEnrollmentToken(token('t1'));
      const { owner: _owner, ...ownerless } = token('t2', { managed: false, expiresAt: T1 });
      await ids.putEnrollmentToken(ownerless);
      expect(await ids.useEnrollmentToken(hex('t1'), 'dev-1', T1)).toEqual({ ...token('t1'), usedAt: T1, deviceId: 'dev-1' });
      expect(await ids.useEnrollmentToken(hex('t1'), 'dev-2', T1)).toBeUndefined();
      expect(await ids.useEnrollmentToken(hex('t2'), 'dev-3', T2)).toBeUndefined();
      expect(await ids.useEnrollmentToken(hex('nope'), 'dev-3', T0)).toBeUndefined();
    });

    it('remembers a report id per device and refuses its replay', async () => {
      const ids = store().deviceIdentity;
      const far = new Date(Date.now() + 3_600_000).toISOString();
      expect(await ids.rememberReportId('dev-1', 'jti-1', far)).toBe(true);
      expect(await ids.rememberReportId('dev-1', 'jti-1', far)).toBe(false);
      expect(await ids.rememberReportId('dev-2', 'jti-1', far)).toBe(true);
    });

    it('purges expired enrollments, tokens and report ids, keeping live ones and certificates', async () => {
      const ids = store().deviceIdentity;
      await ids.putEnrollment(enrollment('old', 'OLD1-OLD1'));
      await ids.putEnrollment(enrollment('new', 'NEW1-NEW1', { expiresAt: LATER }));
      await ids.putEnrollmentToken(token('old', { expiresAt: T1 }));
      await ids.putCertificate(certificate('0a', 'dev-1'));
      expect(await ids.purge(T2)).toBe(2);
      expect(await ids.getEnrollment(hex('old'))).toBeUndefined();
      expect(await ids.getEnrollment(hex('new'))).toBeDefined();
      expect(await ids.getCertificate('0a')).toBeDefined();
      await expect(ids.purge('yesterday')).rejects.toMatchObject({ code: 'TENET_ERR_STORE_INVALID_ARGUMENT' });
    });
  });
}
