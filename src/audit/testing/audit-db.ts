// Test helper: a real SQLite database with the production schema and durability settings, opened
// directly with better-sqlite3 so audit tests can also reach the raw tables (tampering tests).
import Database from 'better-sqlite3';
import { migrate } from '../../store/sqlite/migrate.js';
import { SqliteAuditStore } from '../../store/sqlite/audit-store.js';
import type { SettingsStore } from '../../store/ports.js';

export interface AuditTestDb {
  readonly db: Database.Database;
  readonly store: SqliteAuditStore;
  close(): void;
}

/** Opens (and migrates) `path`, or an in-memory database. Same pragmas as openSqliteStore. */
export function openAuditTestDb(path = ':memory:'): AuditTestDb {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db);
  return { db, store: new SqliteAuditStore(db), close: () => db.close() };
}

/** Lets a test rewrite history the way an attacker with file access would: the guard triggers go first. */
export function dropAppendOnlyGuards(db: Database.Database): void {
  for (const name of ['audit_records_no_update', 'audit_records_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) {
    db.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }
}

/** An in-memory SettingsStore for key tests. */
export function memorySettings(): SettingsStore & { readonly values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: async (name) => values.get(name),
    put: async (name, value) => {
      values.set(name, value);
    },
  };
}
