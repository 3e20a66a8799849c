// Opens and configures one SQLite connection for Tenet: where durability and locking behaviour are
// decided. Kept apart from store assembly so the settings can be tested on a live connection.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import { toStoreError } from './errors.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Opens `path` (`:memory:` allowed), creating its directory, and applies Tenet's pragmas. */
export function openConnection(path: string, busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS): Database.Database {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (error) {
    throw new TenetError('TENET_ERR_STORE_UNAVAILABLE', `cannot open the store at ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  try {
    configure(db, busyTimeoutMs);
  } catch (error) {
    db.close();
    throw toStoreError(error, `opening the store at ${path}`);
  }
  return db;
}

function configure(db: Database.Database, busyTimeoutMs: number): void {
  // Set first so that the WAL switch below already waits for a concurrent opener's lock.
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  // A corrupt or foreign file fails here, with a clear error, not on the first request.
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
  // WAL: readers (the PDP reloading signals, audit queries) do not block the audit writer.
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: under WAL, NORMAL may lose the last committed transactions on power loss.
  // An audit record acknowledged to a PEP must survive a crash (NIST SP 800-207 §3.4.1 activity
  // logs; "no log record lost on crash once acknowledged"), so every commit is fsynced.
  db.pragma('synchronous = FULL');
  // Posture history references devices; without this pragma SQLite ignores REFERENCES clauses.
  db.pragma('foreign_keys = ON');
}
