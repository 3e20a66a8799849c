// Migration 0002: the decision log (src/audit). Records are append-only: triggers refuse UPDATE
// and DELETE so a bug or a careless admin query cannot rewrite history. They are a guard rail, not
// the security boundary — whoever can write the file can drop them; the hash chain and signed
// checkpoints are what make tampering evident (docs/audit.md).
import type { Migration } from './migration.js';

export const migration: Migration = {
  version: 2,
  name: 'audit',
  sql: `
CREATE TABLE audit_records (
  seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
  decision_id TEXT    NOT NULL,
  time        TEXT    NOT NULL,
  pep         TEXT    NOT NULL,
  caller      TEXT,
  subject     TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  resource    TEXT    NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('allow', 'deny', 'step-up')),
  body        TEXT    NOT NULL,
  prev_hash   TEXT    NOT NULL,
  hash        TEXT    NOT NULL
) STRICT;

-- Query filters (src/store/sqlite/audit-store.ts): each index ends in seq so a filtered,
-- newest-first page is an index range scan with keyset pagination on seq.
CREATE INDEX audit_records_by_subject  ON audit_records (subject, seq);
CREATE INDEX audit_records_by_resource ON audit_records (resource, seq);
CREATE INDEX audit_records_by_outcome  ON audit_records (outcome, seq);
CREATE INDEX audit_records_by_time     ON audit_records (time, seq);
CREATE INDEX audit_records_by_decision ON audit_records (decision_id);

CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;

CREATE TABLE audit_checkpoints (
  seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
  hash      TEXT    NOT NULL,
  time      TEXT    NOT NULL,
  signature TEXT    NOT NULL,
  key_id    TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
`,
};
