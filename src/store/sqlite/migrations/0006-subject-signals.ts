// Migration 6: what other systems reported about a subject (a Shared Signals transmitter's CAEP
// risk-level-change), one row per subject and source (SubjectSignalStore in src/store/ports.ts).
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions as in 0001: times are ISO 8601 text with an `*_ms` twin where rows are compared by
// time (a report older than the stored one is ignored). The subject is the entity-key spelling
// (`User::"alice"`), the same string the decision log records.
const sql = `
CREATE TABLE subject_signals (
  subject         TEXT NOT NULL CHECK (length(subject) > 0),
  source          TEXT NOT NULL CHECK (length(source) > 0),
  risk_level      TEXT NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  reason          TEXT NOT NULL,
  observed_at     TEXT NOT NULL,
  observed_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (subject, source)
) STRICT, WITHOUT ROWID;
`;

export const migration: Migration = { version: 6, name: 'subject-signals', sql };
