// Migration 4: device identity (src/devices): the certificates Tenet's device CA issued,
// enrollments waiting for their owner's approval, admin enrollment tokens, and the ids of signed
// agent messages already accepted (replay protection).
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions as in 0001: times are ISO 8601 text with an `*_ms` twin wherever rows are compared by
// time. Enrollment and token ids are the hex SHA-256 of a secret only the agent or admin holds. A
// certificate row outlives its device's revocation: the CRL lists it until it expires.
const sql = `
CREATE TABLE device_certificates (
  serial                TEXT PRIMARY KEY CHECK (length(serial) > 0),
  device_id             TEXT NOT NULL CHECK (length(device_id) > 0),
  fingerprint           TEXT NOT NULL UNIQUE,
  pem                   TEXT NOT NULL,
  not_before            TEXT NOT NULL,
  not_after             TEXT NOT NULL,
  not_after_ms          INTEGER NOT NULL,
  issued_at             TEXT NOT NULL,
  issued_at_ms          INTEGER NOT NULL,
  revoked_at            TEXT,
  revocation_reason     TEXT,
  CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX device_certificates_by_device ON device_certificates (device_id, issued_at_ms);
CREATE INDEX device_certificates_revoked ON device_certificates (not_after_ms) WHERE revoked_at IS NOT NULL;

CREATE TABLE device_enrollments (
  id                    TEXT PRIMARY KEY CHECK (length(id) > 0),
  user_code             TEXT NOT NULL CHECK (length(user_code) > 0),
  csr_pem               TEXT NOT NULL,
  description           TEXT NOT NULL CHECK (json_valid(description) AND json_type(description) = 'object'),
  status                TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
  created_at            TEXT NOT NULL,
  created_at_ms         INTEGER NOT NULL,
  expires_at            TEXT NOT NULL,
  expires_at_ms         INTEGER NOT NULL,
  device_id             TEXT,
  approved_by           TEXT CHECK (approved_by IS NULL OR (json_valid(approved_by) AND json_type(approved_by) = 'object')),
  certificate_serial    TEXT
) STRICT, WITHOUT ROWID;
-- A user code names at most one pending enrollment (the approval page looks it up).
CREATE UNIQUE INDEX device_enrollments_pending_code ON device_enrollments (user_code) WHERE status = 'pending';
CREATE INDEX device_enrollments_by_expiry ON device_enrollments (expires_at_ms);

CREATE TABLE device_enrollment_tokens (
  id                    TEXT PRIMARY KEY CHECK (length(id) > 0),
  owner                 TEXT CHECK (owner IS NULL OR (json_valid(owner) AND json_type(owner) = 'object')),
  managed               INTEGER NOT NULL CHECK (managed IN (0, 1)),
  created_at            TEXT NOT NULL,
  expires_at            TEXT NOT NULL,
  expires_at_ms         INTEGER NOT NULL,
  created_by            TEXT NOT NULL,
  used_at               TEXT,
  device_id             TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE device_report_ids (
  device_id             TEXT NOT NULL,
  jti                   TEXT NOT NULL,
  expires_at_ms         INTEGER NOT NULL,
  PRIMARY KEY (device_id, jti)
) STRICT, WITHOUT ROWID;
CREATE INDEX device_report_ids_by_expiry ON device_report_ids (expires_at_ms);
`;

export const migration: Migration = { version: 4, name: 'device-identity', sql };
