// Migration 8: the Shared Signals transmitter's state (src/ssf/transmitter): the event streams
// receivers created (SSF 1.0 §8.1.1), the subjects they added or removed (§8.1.3), and the SETs
// not yet delivered (push retries, RFC 8935; or not yet acknowledged, RFC 8936), which must survive
// a restart.
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions as in 0001: times are ISO 8601 text with an `*_ms` twin where rows are ordered by
// time. `owner` is the receiver's credential identity: every management call is scoped to it.
// `authorization_header` is the receiver's secret for its push endpoint (SSF 1.0 §6.1.1): it is
// stored because it must be sent, and never returned by the API. Pending events keep the signed
// SET itself, so a restart re-sends exactly what was signed; `seq` orders them (oldest first).
const sql = `
CREATE TABLE ssf_streams (
  id                    TEXT PRIMARY KEY CHECK (length(id) > 0),
  owner                 TEXT NOT NULL CHECK (length(owner) > 0),
  audience              TEXT NOT NULL CHECK (json_valid(audience) AND json_type(audience) = 'array'),
  delivery_method       TEXT NOT NULL CHECK (delivery_method IN ('push', 'poll')),
  endpoint_url          TEXT,
  authorization_header  TEXT,
  events_requested      TEXT NOT NULL CHECK (json_valid(events_requested) AND json_type(events_requested) = 'array'),
  description           TEXT,
  default_subjects      TEXT NOT NULL CHECK (default_subjects IN ('ALL', 'NONE')),
  status                TEXT NOT NULL CHECK (status IN ('enabled', 'paused', 'disabled')),
  status_reason         TEXT,
  created_at            TEXT NOT NULL,
  created_at_ms         INTEGER NOT NULL,
  updated_at            TEXT NOT NULL,
  CHECK (delivery_method = 'poll' OR endpoint_url IS NOT NULL)
) STRICT, WITHOUT ROWID;
CREATE INDEX ssf_streams_by_owner ON ssf_streams (owner, created_at_ms);

CREATE TABLE ssf_stream_subjects (
  stream_id    TEXT NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
  subject_key  TEXT NOT NULL CHECK (length(subject_key) > 0),
  subject      TEXT NOT NULL CHECK (json_valid(subject) AND json_type(subject) = 'object'),
  included     INTEGER NOT NULL CHECK (included IN (0, 1)),
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (stream_id, subject_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE ssf_pending_events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id      TEXT NOT NULL REFERENCES ssf_streams (id) ON DELETE CASCADE,
  jti            TEXT NOT NULL CHECK (length(jti) > 0),
  token          TEXT NOT NULL CHECK (length(token) > 0),
  created_at     TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  UNIQUE (stream_id, jti)
) STRICT;
`;

export const migration: Migration = { version: 8, name: 'ssf-transmitter', sql };
