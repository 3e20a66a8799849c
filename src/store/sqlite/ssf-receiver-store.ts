// SsfReceiverStore over SQLite (migration 0007): the jtis of accepted SETs per issuer (replay
// protection that survives restarts) and the stream Tenet created at each transmitter.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { SsfReceiverStore, SsfReceiverStream } from '../ports.js';
import { attempt } from './errors.js';
import { argumentTime, recordTime } from './instant.js';
import { cachedPrepare, type Prepare } from './statement-cache.js';

interface StreamRow {
  readonly transmitter_id: string;
  readonly issuer: string;
  readonly stream_id: string;
  readonly delivery: 'push' | 'poll';
  readonly created_at: string;
}

export class SqliteSsfReceiverStore implements SsfReceiverStore {
  readonly #db: Database.Database;
  readonly #prepare: Prepare;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#prepare = cachedPrepare(db);
  }

  rememberJti(issuer: string, jti: string, expiresAt: string): Promise<boolean> {
    return attempt('remembering a received SET id', () => {
      requireText(issuer, 'issuer');
      requireText(jti, 'jti');
      const expiresMs = argumentTime(expiresAt);
      return this.#db.transaction(() => {
        // A jti whose memory has lapsed may be stored again: its SET is refused as stale by then,
        // because the memory lasts at least as long as the freshness window.
        this.#prepare('DELETE FROM ssf_received_jtis WHERE issuer = ? AND jti = ? AND expires_at_ms <= ?').run(issuer, jti, Date.now());
        return this.#prepare('INSERT OR IGNORE INTO ssf_received_jtis (issuer, jti, expires_at_ms) VALUES (?, ?, ?)').run(issuer, jti, expiresMs).changes === 1;
      })();
    });
  }

  forgetJti(issuer: string, jti: string): Promise<boolean> {
    return attempt('forgetting a received SET id', () => this.#prepare('DELETE FROM ssf_received_jtis WHERE issuer = ? AND jti = ?').run(issuer, jti).changes === 1);
  }

  purgeJtis(before: string): Promise<number> {
    return attempt('purging expired SET ids', () => {
      const beforeMs = argumentTime(before);
      return this.#prepare('DELETE FROM ssf_received_jtis WHERE expires_at_ms <= ?').run(beforeMs).changes;
    });
  }

  getStream(transmitterId: string): Promise<SsfReceiverStream | undefined> {
    return attempt(`reading the SSF stream of transmitter ${transmitterId}`, () => {
      const row = this.#prepare<[string], StreamRow>('SELECT transmitter_id, issuer, stream_id, delivery, created_at FROM ssf_receiver_streams WHERE transmitter_id = ?').get(transmitterId);
      return row === undefined ? undefined : { transmitterId: row.transmitter_id, issuer: row.issuer, streamId: row.stream_id, delivery: row.delivery, createdAt: row.created_at };
    });
  }

  putStream(stream: SsfReceiverStream): Promise<void> {
    return attempt(`recording the SSF stream of transmitter ${stream.transmitterId}`, () => {
      recordTime(stream.createdAt, 'createdAt');
      this.#prepare('INSERT OR REPLACE INTO ssf_receiver_streams (transmitter_id, issuer, stream_id, delivery, created_at) VALUES (?, ?, ?, ?, ?)').run(
        stream.transmitterId,
        stream.issuer,
        stream.streamId,
        stream.delivery,
        stream.createdAt,
      );
    });
  }

  removeStream(transmitterId: string): Promise<boolean> {
    return attempt(`removing the SSF stream of transmitter ${transmitterId}`, () => this.#prepare('DELETE FROM ssf_receiver_streams WHERE transmitter_id = ?').run(transmitterId).changes === 1);
  }
}

function requireText(value: string, field: string): void {
  if (value.length === 0) throw new TenetError('TENET_ERR_STORE_INVALID_ARGUMENT', `${field} must not be empty`);
}
