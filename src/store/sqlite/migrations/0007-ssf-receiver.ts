// Migration 7: the Shared Signals receiver's memory (src/ssf/receiver): the `jti` of every SET
// accepted from each issuer, kept until the SET would be refused as stale anyway (RFC 8417 §2.2
// "jti"; RFC 8935 §2 asks the recipient to detect duplicates), and the stream Tenet created at each
// transmitter (SSF 1.0 §8.1.1), so a restart reuses it instead of opening another.
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions as in 0001: times are ISO 8601 text with an `*_ms` twin where rows are compared by
// time. The jti table is keyed by issuer, not by Tenet's transmitter id: two configured names for
// the same issuer must still share one replay memory.
const sql = `
CREATE TABLE ssf_received_jtis (
  issuer          TEXT NOT NULL CHECK (length(issuer) > 0),
  jti             TEXT NOT NULL CHECK (length(jti) > 0),
  expires_at_ms   INTEGER NOT NULL,
  PRIMARY KEY (issuer, jti)
) STRICT, WITHOUT ROWID;
CREATE INDEX ssf_received_jtis_by_expiry ON ssf_received_jtis (expires_at_ms);

CREATE TABLE ssf_receiver_streams (
  transmitter_id  TEXT PRIMARY KEY CHECK (length(transmitter_id) > 0),
  issuer          TEXT NOT NULL CHECK (length(issuer) > 0),
  stream_id       TEXT NOT NULL CHECK (length(stream_id) > 0),
  delivery        TEXT NOT NULL CHECK (delivery IN ('push', 'poll')),
  created_at      TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;

export const migration: Migration = { version: 7, name: 'ssf-receiver', sql };
