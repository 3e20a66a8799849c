// Schema migration runner: applies MIGRATIONS in version order, each in its own transaction, and
// records each in `schema_migrations`. Refuses a database written by newer code, because running
// old code against a schema it does not know risks silently wrong reads or writes.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { Migration } from './migrations/migration.js';
import { MIGRATIONS } from './migrations/index.js';

export interface MigrationResult {
  /** Versions applied by this call (empty when the schema was already current). */
  readonly applied: readonly number[];
  /** The schema version after migrating. */
  readonly version: number;
}

interface AppliedRow {
  readonly version: number;
  readonly name: string;
}

/** Brings `db` to the newest schema in `migrations` (default: the released list). */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkMigrationList(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);

  const known = new Map(migrations.map((m) => [m.version, m]));
  const newestKnown = migrations.at(-1)?.version ?? 0;
  const readApplied = db.prepare<[], AppliedRow>('SELECT version, name FROM schema_migrations ORDER BY version');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');

  checkApplied(readApplied.all(), known, newestKnown);

  // One transaction per migration, so a failure leaves the database at the last good version.
  // IMMEDIATE takes the write lock before re-reading what is applied, so two processes opening
  // the same new file cannot both run a migration.
  const applyOne = db.transaction((m: Migration): boolean => {
    if (readApplied.all().some((row) => row.version === m.version)) return false;
    try {
      db.exec(m.sql);
    } catch (error) {
      throw new TenetError('TENET_ERR_STORE_MIGRATION_FAILED', `schema migration ${m.version} (${m.name}) failed: ${(error as Error).message}`, [], { cause: error });
    }
    record.run(m.version, m.name, new Date().toISOString());
    // Mirrors the version where generic SQLite tools look (`PRAGMA user_version`).
    db.pragma(`user_version = ${m.version}`);
    return true;
  });

  const applied: number[] = [];
  for (const m of migrations) {
    if (applyOne.immediate(m)) applied.push(m.version);
  }
  return { applied, version: newestKnown };
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) {
      throw new TenetError('TENET_ERR_INTERNAL_MIGRATION_ORDER', `migration list is out of order: position ${index} holds version ${m.version}, expected ${index + 1}`);
    }
  });
}

function checkApplied(applied: readonly AppliedRow[], known: ReadonlyMap<number, Migration>, newestKnown: number): void {
  const newestApplied = applied.at(-1)?.version ?? 0;
  if (newestApplied > newestKnown) {
    throw new TenetError(
      'TENET_ERR_STORE_SCHEMA_TOO_NEW',
      `the database schema is version ${newestApplied} but this Tenet knows up to ${newestKnown}; it was written by a newer Tenet — upgrade Tenet or restore a backup`,
    );
  }
  for (const row of applied) {
    const m = known.get(row.version);
    if (m !== undefined && m.name !== row.name) {
      throw new TenetError(
        'TENET_ERR_STORE_SCHEMA_MISMATCH',
        `schema migration ${row.version} was applied as "${row.name}" but this Tenet calls it "${m.name}"; the database was created by a different build`,
      );
    }
  }
}
