// Migration 10: sessions found by the user's email (CAEP events name users by email, RFC 9493),
// through an index on the email inside the identity JSON, lower-cased as emails are compared.
// INVARIANT: released; never edit. Change the schema with a new migration.
import type { Migration } from './migration.js';

const sql = `
CREATE INDEX sessions_by_email ON sessions (lower(json_extract(identity, '$.email')), created_at_ms)
  WHERE json_extract(identity, '$.email') IS NOT NULL;
`;

export const migration: Migration = { version: 10, name: 'session-email-index', sql };
