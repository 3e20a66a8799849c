// What Tenet keeps about device identity (NIST SP 800-207 §2.1 tenet 5, §3.3: the device is
// authenticated beside the user): the certificates it issued to enrolled devices, enrollments in
// flight (RFC 8628-style user approval, or an admin's one-time token), and the report ids already
// accepted (replay protection). The device record itself (owner, status, posture) is the
// inventory's DeviceRecord in src/engine/signals.ts.
import type { EntityRef } from '../engine/tuple.js';

/** One device certificate Tenet issued (or saw issued by the configured external CA key). */
export interface DeviceCertificateRecord {
  /** Certificate serial number, lower-case hex without leading zeros stripped (as encoded). */
  readonly serial: string;
  readonly deviceId: string;
  /** Hex SHA-256 of the certificate's DER. */
  readonly fingerprint: string;
  /** The certificate as PEM (public). */
  readonly pem: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly issuedAt: string;
  readonly revokedAt?: string;
  /** RFC 5280 §5.3.1 reason name, e.g. `keyCompromise`, `superseded`, `cessationOfOperation`. */
  readonly revocationReason?: string;
}

export type EnrollmentStatus = 'pending' | 'approved' | 'denied';

/**
 * A device asking to be enrolled. The agent holds `pollSecret` (only its SHA-256 is the id); the
 * user types or follows `userCode` on the approval page while logged in.
 */
export interface DeviceEnrollment {
  /** Hex SHA-256 of the poll secret the agent holds. */
  readonly id: string;
  /** Short code shown to the user (e.g. `KDFM-XQ2P`), upper-case, unique among pending enrollments. */
  readonly userCode: string;
  /** The PKCS#10 request (PEM) whose key the certificate will certify. */
  readonly csrPem: string;
  /** What the agent said about the machine (hostname, os), shown to the approving user; never trusted. */
  readonly description: Readonly<Record<string, string>>;
  readonly status: EnrollmentStatus;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Set on approval: the new device and who approved it. */
  readonly deviceId?: string;
  readonly approvedBy?: EntityRef;
  /** Set when the certificate was issued (the agent collects it with its next poll). */
  readonly certificateSerial?: string;
}

/** An admin-issued one-time enrollment token (the token itself is shown once; only its SHA-256 is kept). */
export interface EnrollmentToken {
  /** Hex SHA-256 of the token. */
  readonly id: string;
  /** The owner the enrolled device is recorded under. */
  readonly owner?: EntityRef;
  /** Whether the enrolled device counts as managed (the admin vouches for it). */
  readonly managed: boolean;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly createdBy: string;
  readonly usedAt?: string;
  readonly deviceId?: string;
}
