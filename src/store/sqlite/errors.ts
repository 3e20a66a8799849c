// Translates better-sqlite3 failures into the project's error catalogue (TENET_ERR_STORE_*), so
// callers — and the PDP's fail-closed path — see one stable code per condition, not driver text.
import Database from 'better-sqlite3';
import { TenetError, isTenetError } from '../../errors.js';

/** Maps a thrown value to a TenetError naming the operation that failed. TenetErrors pass through. */
export function toStoreError(error: unknown, operation: string): TenetError {
  if (isTenetError(error)) return error;
  if (error instanceof Database.SqliteError) {
    const code = error.code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new TenetError('TENET_ERR_STORE_CONFLICT', `${operation}: a record with the same key already exists (${error.message})`, [], { cause: error });
    }
    if (code.startsWith('SQLITE_CONSTRAINT')) {
      return new TenetError('TENET_ERR_STORE_CONSTRAINT', `${operation}: the data violates a store constraint (${error.message}); nothing was written`, [], { cause: error });
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new TenetError('TENET_ERR_STORE_BUSY', `${operation}: the database is locked by another connection; retry later`, [], { cause: error });
    }
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
      return new TenetError('TENET_ERR_STORE_CORRUPT', `${operation}: the database file is corrupt or not a SQLite database (${error.message})`, [], { cause: error });
    }
    return new TenetError('TENET_ERR_STORE_UNAVAILABLE', `${operation}: ${error.message} (${code})`, [], { cause: error });
  }
  // better-sqlite3 throws a plain TypeError once the connection is closed.
  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return new TenetError('TENET_ERR_STORE_UNAVAILABLE', `${operation}: the store is closed`, [], { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TenetError('TENET_ERR_STORE_FAILED', `${operation}: ${message}`, [], { cause: error });
}

/**
 * Runs a synchronous database operation behind the async port shape. better-sqlite3 is
 * synchronous; errors are translated here so every port method reports the same way.
 */
export async function attempt<T>(operation: string, body: () => T): Promise<T> {
  try {
    return body();
  } catch (error) {
    throw toStoreError(error, operation);
  }
}

/** Parses a JSON column; a value that does not parse means the file was altered outside Tenet. */
export function readJsonColumn<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new TenetError('TENET_ERR_STORE_CORRUPT', `stored ${what} is not valid JSON; the database was modified outside Tenet`, [], { cause: error });
  }
}
