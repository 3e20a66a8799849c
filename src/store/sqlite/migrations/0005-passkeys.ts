// Migration 5: users' passkeys (WebAuthn Level 3 §6.4 "credential record": what the relying party
// keeps to verify later assertions), src/enforcement/passkeys/passkey-credential.ts.
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions as in 0001: times are ISO 8601 text with an `*_ms` twin where rows are ordered by
// time. The public key is the COSE key in base64url: public by nature, yet it is what makes an
// assertion verifiable, so the row is as sensitive to tampering as any other signal. The subject is
// kept as its type and id (the EntityRef) and indexed for the per-user list.
const sql = `
CREATE TABLE passkeys (
  id              TEXT PRIMARY KEY CHECK (length(id) > 0),
  subject_type    TEXT NOT NULL CHECK (length(subject_type) > 0),
  subject_id      TEXT NOT NULL,
  public_key      TEXT NOT NULL CHECK (length(public_key) > 0),
  counter         INTEGER NOT NULL CHECK (counter >= 0),
  transports      TEXT NOT NULL CHECK (json_valid(transports) AND json_type(transports) = 'array'),
  aaguid          TEXT,
  device_type     TEXT NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
  backed_up       INTEGER NOT NULL CHECK (backed_up IN (0, 1)),
  name            TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  last_used_at    TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX passkeys_by_subject ON passkeys (subject_type, subject_id, created_at_ms);
`;

export const migration: Migration = { version: 5, name: 'passkeys', sql };
