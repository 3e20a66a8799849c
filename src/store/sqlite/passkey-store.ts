// PasskeyStore over SQLite (migration 0005): the passkeys users registered, per subject. Removal
// is scoped to the owner in the statement itself, so one user can never delete another's passkey
// by naming its id.
import type Database from 'better-sqlite3';
import type { EntityRef } from '../../engine/tuple.js';
import type { PasskeyCredential } from '../../enforcement/passkeys/passkey-credential.js';
import { TenetError } from '../../errors.js';
import type { PasskeyStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';
import { argumentTime, recordTime } from './instant.js';
import { cachedPrepare, type Prepare } from './statement-cache.js';

interface PasskeyRow {
  readonly id: string;
  readonly subject_type: string;
  readonly subject_id: string;
  readonly public_key: string;
  readonly counter: number;
  readonly transports: string;
  readonly aaguid: string | null;
  readonly device_type: 'singleDevice' | 'multiDevice';
  readonly backed_up: number;
  readonly name: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
}

const COLUMNS = 'id, subject_type, subject_id, public_key, counter, transports, aaguid, device_type, backed_up, name, created_at, last_used_at';

export class SqlitePasskeyStore implements PasskeyStore {
  readonly #prepare: Prepare;

  constructor(db: Database.Database) {
    this.#prepare = cachedPrepare(db);
  }

  add(credential: PasskeyCredential): Promise<void> {
    return attempt(`adding passkey ${credential.id.slice(0, 8)}…`, () => {
      requireCounter(credential.counter, 'TENET_ERR_STORE_CONSTRAINT');
      this.#prepare(
          `INSERT INTO passkeys (${COLUMNS}, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          credential.id,
          credential.subject.type,
          credential.subject.id,
          credential.publicKey,
          credential.counter,
          JSON.stringify(credential.transports),
          credential.aaguid ?? null,
          credential.deviceType,
          credential.backedUp ? 1 : 0,
          credential.name,
          credential.createdAt,
          credential.lastUsedAt ?? null,
          recordTime(credential.createdAt, 'createdAt'),
        );
    });
  }

  get(id: string): Promise<PasskeyCredential | undefined> {
    return attempt(`reading passkey ${id.slice(0, 8)}…`, () => {
      const row = this.#prepare<[string], PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE id = ?`).get(id);
      return row === undefined ? undefined : toCredential(row);
    });
  }

  listFor(subject: EntityRef): Promise<PasskeyCredential[]> {
    return attempt('listing passkeys', () =>
      this.#prepare<[string, string], PasskeyRow>(`SELECT ${COLUMNS} FROM passkeys WHERE subject_type = ? AND subject_id = ? ORDER BY created_at_ms, id`)
        .all(subject.type, subject.id)
        .map(toCredential),
    );
  }

  recordUse(id: string, counter: number, at: string): Promise<void> {
    return attempt(`recording use of passkey ${id.slice(0, 8)}…`, () => {
      requireCounter(counter, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      argumentTime(at);
      this.#prepare('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?').run(counter, at, id);
    });
  }

  remove(subject: EntityRef, id: string): Promise<boolean> {
    return attempt(`removing passkey ${id.slice(0, 8)}…`, () =>
      this.#prepare('DELETE FROM passkeys WHERE id = ? AND subject_type = ? AND subject_id = ?').run(id, subject.type, subject.id).changes === 1,
    );
  }
}

/** WebAuthn signature counters are unsigned 32-bit (WebAuthn Level 3 §6.1 signCount). */
function requireCounter(counter: number, code: 'TENET_ERR_STORE_CONSTRAINT' | 'TENET_ERR_STORE_INVALID_ARGUMENT'): void {
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > 0xffffffff) {
    throw new TenetError(code, `passkey signature counter ${counter} is not an unsigned 32-bit number`);
  }
}

function toCredential(row: PasskeyRow): PasskeyCredential {
  return {
    id: row.id,
    subject: { type: row.subject_type, id: row.subject_id },
    publicKey: row.public_key,
    counter: row.counter,
    transports: readJsonColumn<string[]>(row.transports, 'passkey transports'),
    ...(row.aaguid === null ? {} : { aaguid: row.aaguid }),
    deviceType: row.device_type,
    backedUp: row.backed_up === 1,
    name: row.name,
    createdAt: row.created_at,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
  };
}
