// Public API of the SQLite store adapter.
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { migrate, type MigrationResult } from './migrate.js';
