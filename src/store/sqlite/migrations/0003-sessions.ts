// Migration 3: the Policy Administrator's state (NIST SP 800-207 §3.1): login sessions, login
// attempts in flight (OIDC state/nonce/PKCE) and cross-host hand-off codes (src/sessions).
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

// Conventions as in 0001: times are ISO 8601 text as given, with an `*_ms` twin (epoch
// milliseconds) wherever rows are compared or ordered by time. Every id is the hex SHA-256 of a
// secret the browser holds (cookie, state, hand-off code), so a copy of this file lets nobody
// resume a session. Identity and authentication are JSON; the fields that back-channel logout and
// the admin listing search by are copied into columns so those searches use indexes.
const sql = `
CREATE TABLE sessions (
  id              TEXT PRIMARY KEY CHECK (length(id) > 0),
  login_id        TEXT NOT NULL CHECK (length(login_id) > 0),
  host            TEXT NOT NULL CHECK (length(host) > 0),
  provider        TEXT NOT NULL CHECK (length(provider) > 0),
  idp_subject     TEXT NOT NULL,
  idp_session_id  TEXT,
  -- The Cedar principal in entity-key spelling (User::"alice"), for per-user listings.
  subject         TEXT NOT NULL,
  identity        TEXT NOT NULL CHECK (json_valid(identity) AND json_type(identity) = 'object'),
  authn           TEXT NOT NULL CHECK (json_valid(authn) AND json_type(authn) = 'object'),
  id_token        TEXT,
  created_at      TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  last_seen_at    TEXT NOT NULL,
  last_seen_at_ms INTEGER NOT NULL,
  expires_at      TEXT NOT NULL,
  expires_at_ms   INTEGER NOT NULL,
  revoked_at      TEXT,
  revoked_at_ms   INTEGER,
  CHECK ((revoked_at IS NULL) = (revoked_at_ms IS NULL))
) STRICT;
CREATE INDEX sessions_by_login ON sessions (login_id);
-- Back-channel logout names sessions by sub, by sid, or by both (OpenID Back-Channel Logout 1.0 §2.4).
CREATE INDEX sessions_by_idp_subject ON sessions (provider, idp_subject);
CREATE INDEX sessions_by_idp_session ON sessions (provider, idp_session_id) WHERE idp_session_id IS NOT NULL;
CREATE INDEX sessions_by_subject ON sessions (subject, created_at_ms);
CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);

CREATE TABLE login_states (
  id                    TEXT PRIMARY KEY CHECK (length(id) > 0),
  provider              TEXT NOT NULL CHECK (length(provider) > 0),
  nonce                 TEXT NOT NULL,
  code_verifier         TEXT NOT NULL,
  return_to             TEXT NOT NULL,
  browser_binding       TEXT NOT NULL,
  step_up_max_age       INTEGER,
  step_up_phishing_res  INTEGER CHECK (step_up_phishing_res IS NULL OR step_up_phishing_res IN (0, 1)),
  created_at            TEXT NOT NULL,
  expires_at            TEXT NOT NULL,
  expires_at_ms         INTEGER NOT NULL,
  CHECK ((step_up_max_age IS NULL) = (step_up_phishing_res IS NULL))
) STRICT, WITHOUT ROWID;
CREATE INDEX login_states_by_expiry ON login_states (expires_at_ms);

-- A hand-off belongs to the session it copies; it goes when that session is purged.
CREATE TABLE session_handoffs (
  id            TEXT PRIMARY KEY CHECK (length(id) > 0),
  session_id    TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  host          TEXT NOT NULL CHECK (length(host) > 0),
  return_to     TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX session_handoffs_by_session ON session_handoffs (session_id);
CREATE INDEX session_handoffs_by_expiry ON session_handoffs (expires_at_ms);
`;

export const migration: Migration = { version: 3, name: 'sessions', sql };
