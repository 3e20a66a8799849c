// ApiTokenStore over SQLite. Only token hashes are stored (never the token), so a copy of the
// database does not hand out working credentials.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { ApiScope, ApiTokenRecord, ApiTokenStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';

interface TokenRow {
  readonly id: string;
  readonly name: string;
  readonly token_hash: string;
  readonly scopes: string;
  readonly created_at: string;
  readonly revoked_at: string | null;
}

const SCOPES: ReadonlySet<string> = new Set<ApiScope>(['pdp', 'admin', 'ssf']);
const COLUMNS = 'id, name, token_hash, scopes, created_at, revoked_at';

export class SqliteApiTokenStore implements ApiTokenStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  create(record: ApiTokenRecord): Promise<void> {
    return attempt(`creating API token "${record.name}"`, () => {
      const unknown = record.scopes.filter((s) => !SCOPES.has(s));
      if (unknown.length > 0) {
        throw new TenetError('TENET_ERR_STORE_CONSTRAINT', `API token "${record.name}" has unknown scopes ${unknown.join(', ')}; allowed: pdp, admin, ssf`);
      }
      this.#db
        .prepare(`INSERT INTO api_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(record.id, record.name, record.tokenHash, JSON.stringify([...new Set(record.scopes)]), record.createdAt, record.revokedAt ?? null);
    });
  }

  findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    return attempt('looking up an API token', () => {
      const row = this.#db.prepare<[string], TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = ?`).get(tokenHash);
      return row === undefined ? undefined : toRecord(row);
    });
  }

  list(): Promise<ApiTokenRecord[]> {
    return attempt('listing API tokens', () => this.#db.prepare<[], TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, id`).all().map(toRecord));
  }

  revoke(id: string, at: string): Promise<boolean> {
    // Only the first revocation counts: its time is evidence and must not be moved later.
    return attempt(`revoking API token ${id}`, () => this.#db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes === 1);
  }
}

function toRecord(row: TokenRow): ApiTokenRecord {
  const base = { id: row.id, name: row.name, tokenHash: row.token_hash, scopes: readJsonColumn<ApiScope[]>(row.scopes, 'token scopes'), createdAt: row.created_at };
  return row.revoked_at === null ? base : { ...base, revokedAt: row.revoked_at };
}
