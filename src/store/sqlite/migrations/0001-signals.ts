// Migration 1: the signal tables (NIST SP 800-207 §3 "policy information points") — Cedar entities,
// device inventory with posture history, threat indicators — plus API tokens and settings.
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions: times are ISO 8601 text as given by the caller; where rows are ordered by a time
// that may carry different UTC offsets, an extra `*_ms` integer column holds epoch milliseconds,
// because ISO strings with different offsets do not sort lexically. JSON columns are checked with
// json_valid so a bad write fails inside the transaction instead of poisoning later reads.
const sql = `
CREATE TABLE entities (
  type       TEXT NOT NULL CHECK (length(type) > 0),
  id         TEXT NOT NULL,
  attrs      TEXT NOT NULL CHECK (json_valid(attrs) AND json_type(attrs) = 'object'),
  parents    TEXT NOT NULL CHECK (json_valid(parents) AND json_type(parents) = 'array'),
  tags       TEXT CHECK (tags IS NULL OR (json_valid(tags) AND json_type(tags) = 'object')),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (type, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE devices (
  id         TEXT PRIMARY KEY CHECK (length(id) > 0),
  owner_type TEXT,
  owner_id   TEXT,
  managed    INTEGER NOT NULL CHECK (managed IN (0, 1)),
  status     TEXT NOT NULL CHECK (status IN ('active', 'quarantined', 'revoked')),
  attributes TEXT CHECK (attributes IS NULL OR (json_valid(attributes) AND json_type(attributes) = 'object')),
  updated_at TEXT NOT NULL,
  CHECK ((owner_type IS NULL) = (owner_id IS NULL))
) STRICT;

-- One row per posture report. The current posture of a device is its row with the newest
-- observed_at_ms (ties: the later insert), never simply the last one written: reports can arrive
-- out of order (a slow MDM export after a fresh agent report).
CREATE TABLE device_posture (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id      TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  source         TEXT NOT NULL CHECK (length(source) > 0),
  observed_at    TEXT NOT NULL,
  observed_at_ms INTEGER NOT NULL,
  compliant      INTEGER CHECK (compliant IS NULL OR compliant IN (0, 1)),
  facts          TEXT NOT NULL CHECK (json_valid(facts) AND json_type(facts) = 'object'),
  recorded_at    TEXT NOT NULL,
  -- The same source reporting the same observation again (a re-imported inventory) replaces it
  -- instead of growing the history.
  UNIQUE (device_id, source, observed_at_ms)
) STRICT;
CREATE INDEX device_posture_newest ON device_posture (device_id, observed_at_ms DESC, seq DESC);

CREATE TABLE threat_indicators (
  indicator  TEXT NOT NULL CHECK (length(indicator) > 0),
  source     TEXT NOT NULL CHECK (length(source) > 0),
  category   TEXT NOT NULL CHECK (length(category) > 0),
  expires_at TEXT,
  added_at   TEXT NOT NULL,
  PRIMARY KEY (indicator, source)
) STRICT, WITHOUT ROWID;
CREATE INDEX threat_indicators_by_source ON threat_indicators (source);

CREATE TABLE api_tokens (
  id         TEXT PRIMARY KEY CHECK (length(id) > 0),
  name       TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) > 0),
  scopes     TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;

CREATE TABLE settings (
  name       TEXT PRIMARY KEY CHECK (length(name) > 0),
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;

export const migration: Migration = { version: 1, name: 'signals', sql };
