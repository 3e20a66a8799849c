// DeviceIdentityStore over SQLite (migration 0004): issued device certificates, enrollments in
// flight, admin enrollment tokens and accepted report ids. Single-use and first-decision-wins
// updates are single conditional statements, which SQLite applies atomically, so two approvers (or
// two processes on one file) cannot both win and a token cannot be used twice.
import type Database from 'better-sqlite3';
import type { DeviceCertificateRecord, DeviceEnrollment, EnrollmentStatus, EnrollmentToken } from '../../devices/device-identity.js';
import type { EntityRef } from '../../engine/tuple.js';
import type { DeviceIdentityStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';
import { argumentTime, recordTime } from './instant.js';
import { cachedPrepare, type Prepare } from './statement-cache.js';

interface CertificateRow {
  readonly serial: string;
  readonly device_id: string;
  readonly fingerprint: string;
  readonly pem: string;
  readonly not_before: string;
  readonly not_after: string;
  readonly issued_at: string;
  readonly revoked_at: string | null;
  readonly revocation_reason: string | null;
}

interface EnrollmentRow {
  readonly id: string;
  readonly user_code: string;
  readonly csr_pem: string;
  readonly description: string;
  readonly status: EnrollmentStatus;
  readonly created_at: string;
  readonly expires_at: string;
  readonly device_id: string | null;
  readonly approved_by: string | null;
  readonly certificate_serial: string | null;
}

interface TokenRow {
  readonly id: string;
  readonly owner: string | null;
  readonly managed: number;
  readonly created_at: string;
  readonly expires_at: string;
  readonly created_by: string;
  readonly used_at: string | null;
  readonly device_id: string | null;
}

const CERTIFICATE_COLUMNS = 'serial, device_id, fingerprint, pem, not_before, not_after, issued_at, revoked_at, revocation_reason';
const ENROLLMENT_COLUMNS = 'id, user_code, csr_pem, description, status, created_at, expires_at, device_id, approved_by, certificate_serial';

export class SqliteDeviceIdentityStore implements DeviceIdentityStore {
  readonly #db: Database.Database;
  readonly #prepare: Prepare;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#prepare = cachedPrepare(db);
  }

  putCertificate(certificate: DeviceCertificateRecord): Promise<void> {
    return attempt(`recording device certificate ${certificate.serial}`, () => {
      this.#prepare(
        `INSERT INTO device_certificates (serial, device_id, fingerprint, pem, not_before, not_after, not_after_ms, issued_at, issued_at_ms, revoked_at, revocation_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        certificate.serial,
        certificate.deviceId,
        certificate.fingerprint,
        certificate.pem,
        certificate.notBefore,
        certificate.notAfter,
        recordTime(certificate.notAfter, 'notAfter'),
        certificate.issuedAt,
        recordTime(certificate.issuedAt, 'issuedAt'),
        certificate.revokedAt ?? null,
        certificate.revokedAt === undefined ? null : (certificate.revocationReason ?? 'unspecified'),
      );
    });
  }

  getCertificate(serial: string): Promise<DeviceCertificateRecord | undefined> {
    return attempt(`reading device certificate ${serial}`, () => {
      const row = this.#prepare<[string], CertificateRow>(`SELECT ${CERTIFICATE_COLUMNS} FROM device_certificates WHERE serial = ?`).get(serial);
      return row === undefined ? undefined : toCertificate(row);
    });
  }

  listCertificates(deviceId: string): Promise<DeviceCertificateRecord[]> {
    return attempt(`listing the certificates of device ${deviceId}`, () =>
      this.#prepare<[string], CertificateRow>(`SELECT ${CERTIFICATE_COLUMNS} FROM device_certificates WHERE device_id = ? ORDER BY issued_at_ms DESC, serial`)
        .all(deviceId)
        .map(toCertificate),
    );
  }

  listRevoked(at: string): Promise<DeviceCertificateRecord[]> {
    return attempt('listing revoked device certificates', () =>
      this.#prepare<[number], CertificateRow>(`SELECT ${CERTIFICATE_COLUMNS} FROM device_certificates WHERE revoked_at IS NOT NULL AND not_after_ms > ? ORDER BY serial`)
        .all(argumentTime(at))
        .map(toCertificate),
    );
  }

  revokeCertificate(serial: string, at: string, reason: string): Promise<boolean> {
    // Only the first revocation counts: its time and reason are evidence.
    return attempt(`revoking device certificate ${serial}`, () => {
      argumentTime(at);
      return this.#prepare('UPDATE device_certificates SET revoked_at = ?, revocation_reason = ? WHERE serial = ? AND revoked_at IS NULL').run(at, reason, serial).changes === 1;
    });
  }

  revokeDeviceCertificates(deviceId: string, at: string, reason: string): Promise<string[]> {
    return attempt(`revoking the certificates of device ${deviceId}`, () => {
      argumentTime(at);
      return this.#prepare<[string, string, string], { serial: string }>(
        'UPDATE device_certificates SET revoked_at = ?, revocation_reason = ? WHERE device_id = ? AND revoked_at IS NULL RETURNING serial',
      )
        .all(at, reason, deviceId)
        .map((row) => row.serial)
        .sort();
    });
  }

  putEnrollment(enrollment: DeviceEnrollment): Promise<void> {
    return attempt(`recording device enrollment ${enrollment.userCode}`, () => {
      this.#prepare(
        `INSERT INTO device_enrollments (id, user_code, csr_pem, description, status, created_at, created_at_ms, expires_at, expires_at_ms, device_id, approved_by, certificate_serial)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        enrollment.id,
        enrollment.userCode.toUpperCase(),
        enrollment.csrPem,
        JSON.stringify(enrollment.description),
        enrollment.status,
        enrollment.createdAt,
        recordTime(enrollment.createdAt, 'createdAt'),
        enrollment.expiresAt,
        recordTime(enrollment.expiresAt, 'expiresAt'),
        enrollment.deviceId ?? null,
        enrollment.approvedBy === undefined ? null : JSON.stringify(enrollment.approvedBy),
        enrollment.certificateSerial ?? null,
      );
    });
  }

  getEnrollment(id: string): Promise<DeviceEnrollment | undefined> {
    return attempt('reading a device enrollment', () => {
      const row = this.#prepare<[string], EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM device_enrollments WHERE id = ?`).get(id);
      return row === undefined ? undefined : toEnrollment(row);
    });
  }

  findPendingByUserCode(userCode: string, at: string): Promise<DeviceEnrollment | undefined> {
    return attempt('looking up a device enrollment by user code', () => {
      const row = this.#prepare<[string, number], EnrollmentRow>(
        `SELECT ${ENROLLMENT_COLUMNS} FROM device_enrollments WHERE user_code = ? AND status = 'pending' AND expires_at_ms > ?`,
      ).get(userCode.toUpperCase(), argumentTime(at));
      return row === undefined ? undefined : toEnrollment(row);
    });
  }

  listPendingEnrollments(at: string): Promise<DeviceEnrollment[]> {
    return attempt('listing pending device enrollments', () =>
      this.#prepare<[number], EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM device_enrollments WHERE status = 'pending' AND expires_at_ms > ? ORDER BY created_at_ms DESC, id`)
        .all(argumentTime(at))
        .map(toEnrollment),
    );
  }

  decideEnrollment(
    id: string,
    decision: { readonly status: 'approved' | 'denied'; readonly deviceId?: string; readonly approvedBy?: EntityRef; readonly certificateSerial?: string },
    at: string,
  ): Promise<boolean> {
    return attempt('deciding a device enrollment', () => {
      const changed = this.#prepare(
        `UPDATE device_enrollments SET status = ?, device_id = ?, approved_by = ?, certificate_serial = ?
         WHERE id = ? AND status = 'pending' AND expires_at_ms > ?`,
      ).run(
        decision.status,
        decision.deviceId ?? null,
        decision.approvedBy === undefined ? null : JSON.stringify(decision.approvedBy),
        decision.certificateSerial ?? null,
        id,
        argumentTime(at),
      ).changes;
      return changed === 1;
    });
  }

  putEnrollmentToken(token: EnrollmentToken): Promise<void> {
    return attempt('recording a device enrollment token', () => {
      this.#prepare(
        `INSERT INTO device_enrollment_tokens (id, owner, managed, created_at, expires_at, expires_at_ms, created_by, used_at, device_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        token.id,
        token.owner === undefined ? null : JSON.stringify(token.owner),
        token.managed ? 1 : 0,
        token.createdAt,
        token.expiresAt,
        recordTime(token.expiresAt, 'expiresAt'),
        token.createdBy,
        token.usedAt ?? null,
        token.deviceId ?? null,
      );
    });
  }

  useEnrollmentToken(id: string, deviceId: string, at: string): Promise<EnrollmentToken | undefined> {
    return attempt('using a device enrollment token', () => {
      const row = this.#prepare<[string, string, string, number], TokenRow>(
        `UPDATE device_enrollment_tokens SET used_at = ?, device_id = ? WHERE id = ? AND used_at IS NULL AND expires_at_ms > ?
         RETURNING id, owner, managed, created_at, expires_at, created_by, used_at, device_id`,
      ).get(at, deviceId, id, argumentTime(at));
      return row === undefined ? undefined : toToken(row);
    });
  }

  rememberReportId(deviceId: string, jti: string, expiresAt: string): Promise<boolean> {
    return attempt(`remembering a report id of device ${deviceId}`, () => {
      const expiresMs = argumentTime(expiresAt);
      return this.#db.transaction(() => {
        // An id whose memory has lapsed may be stored again: its message is stale by then anyway,
        // because the freshness window is shorter than the memory.
        this.#prepare('DELETE FROM device_report_ids WHERE device_id = ? AND jti = ? AND expires_at_ms <= ?').run(deviceId, jti, Date.now());
        return this.#prepare('INSERT OR IGNORE INTO device_report_ids (device_id, jti, expires_at_ms) VALUES (?, ?, ?)').run(deviceId, jti, expiresMs).changes === 1;
      })();
    });
  }

  purge(before: string): Promise<number> {
    return attempt('purging expired device enrollments, tokens and report ids', () => {
      const beforeMs = argumentTime(before);
      return this.#db.transaction(
        () =>
          this.#prepare('DELETE FROM device_enrollments WHERE expires_at_ms <= ?').run(beforeMs).changes +
          this.#prepare('DELETE FROM device_enrollment_tokens WHERE expires_at_ms <= ?').run(beforeMs).changes +
          this.#prepare('DELETE FROM device_report_ids WHERE expires_at_ms <= ?').run(beforeMs).changes,
      )();
    });
  }
}

function toCertificate(row: CertificateRow): DeviceCertificateRecord {
  return {
    serial: row.serial,
    deviceId: row.device_id,
    fingerprint: row.fingerprint,
    pem: row.pem,
    notBefore: row.not_before,
    notAfter: row.not_after,
    issuedAt: row.issued_at,
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at, revocationReason: row.revocation_reason ?? 'unspecified' }),
  };
}

function toEnrollment(row: EnrollmentRow): DeviceEnrollment {
  return {
    id: row.id,
    userCode: row.user_code,
    csrPem: row.csr_pem,
    description: readJsonColumn<Record<string, string>>(row.description, 'enrollment description'),
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ...(row.device_id === null ? {} : { deviceId: row.device_id }),
    ...(row.approved_by === null ? {} : { approvedBy: readJsonColumn<EntityRef>(row.approved_by, 'enrollment approver') }),
    ...(row.certificate_serial === null ? {} : { certificateSerial: row.certificate_serial }),
  };
}

function toToken(row: TokenRow): EnrollmentToken {
  return {
    id: row.id,
    ...(row.owner === null ? {} : { owner: readJsonColumn<EntityRef>(row.owner, 'enrollment token owner') }),
    managed: row.managed === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
    ...(row.used_at === null ? {} : { usedAt: row.used_at }),
    ...(row.device_id === null ? {} : { deviceId: row.device_id }),
  };
}
