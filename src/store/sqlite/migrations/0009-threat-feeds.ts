// Migration 9: threat feed fetch state (src/signals/threat-intel/threat-feeds.ts). Per feed source:
// where it was last read from, the validators for conditional requests (ETag, Last-Modified;
// RFC 9110 §13.1) so a restart does not re-download an unchanged list, and the outcome of the last
// attempt for operators. Domain indicators (`evil.example`, `*.evil.example`) need no schema
// change: threat_indicators (0001) constrains the indicator only to be non-empty text.
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Times are ISO 8601 text, as in 0001. `location` is the URL without its query or the file path:
// a query may carry an API key, so it is never stored.
const sql = `
CREATE TABLE threat_feed_state (
  source        TEXT PRIMARY KEY CHECK (length(source) > 0),
  location      TEXT NOT NULL CHECK (length(location) > 0),
  etag          TEXT,
  last_modified TEXT,
  checked_at    TEXT NOT NULL,
  succeeded_at  TEXT,
  last_error    TEXT,
  indicators    INTEGER NOT NULL CHECK (indicators >= 0)
) STRICT, WITHOUT ROWID;
`;

export const migration: Migration = { version: 9, name: 'threat-feeds', sql };
