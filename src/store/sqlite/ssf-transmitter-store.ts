// SsfTransmitterStore over SQLite (migration 0008): the Shared Signals streams Tenet transmits on,
// their subjects, and the SETs still to deliver. Queueing and trimming to `maxPending` happen in one
// transaction, so a crash can never leave a stream over its bound or lose an event it kept.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { SsfPendingEvent, SsfStreamRecord, SsfStreamSubject, SsfTransmitterStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';
import { recordTime } from './instant.js';
import { cachedPrepare, type Prepare } from './statement-cache.js';

interface StreamRow {
  readonly id: string;
  readonly owner: string;
  readonly audience: string;
  readonly delivery_method: 'push' | 'poll';
  readonly endpoint_url: string | null;
  readonly authorization_header: string | null;
  readonly events_requested: string;
  readonly description: string | null;
  readonly default_subjects: 'ALL' | 'NONE';
  readonly status: 'enabled' | 'paused' | 'disabled';
  readonly status_reason: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

interface SubjectRow {
  readonly subject_key: string;
  readonly subject: string;
  readonly included: number;
}

interface EventRow {
  readonly stream_id: string;
  readonly jti: string;
  readonly token: string;
  readonly created_at: string;
}

const COLUMNS =
  'id, owner, audience, delivery_method, endpoint_url, authorization_header, events_requested, description, default_subjects, status, status_reason, created_at, updated_at';

export class SqliteSsfTransmitterStore implements SsfTransmitterStore {
  readonly #db: Database.Database;
  readonly #prepare: Prepare;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#prepare = cachedPrepare(db);
  }

  createStream(stream: SsfStreamRecord): Promise<void> {
    return attempt(`creating SSF stream ${stream.id}`, () => {
      const createdMs = recordTime(stream.createdAt, 'createdAt');
      recordTime(stream.updatedAt, 'updatedAt');
      this.#prepare(`INSERT INTO ssf_streams (${COLUMNS}, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...streamValues(stream), createdMs);
    });
  }

  getStream(id: string): Promise<SsfStreamRecord | undefined> {
    return attempt(`reading SSF stream ${id}`, () => {
      const row = this.#prepare<[string], StreamRow>(`SELECT ${COLUMNS} FROM ssf_streams WHERE id = ?`).get(id);
      return row === undefined ? undefined : toStream(row);
    });
  }

  listStreams(owner?: string): Promise<SsfStreamRecord[]> {
    return attempt('listing SSF streams', () =>
      owner === undefined
        ? this.#prepare<[], StreamRow>(`SELECT ${COLUMNS} FROM ssf_streams ORDER BY created_at_ms, id`).all().map(toStream)
        : this.#prepare<[string], StreamRow>(`SELECT ${COLUMNS} FROM ssf_streams WHERE owner = ? ORDER BY created_at_ms, id`).all(owner).map(toStream),
    );
  }

  updateStream(stream: SsfStreamRecord): Promise<boolean> {
    return attempt(`updating SSF stream ${stream.id}`, () => {
      recordTime(stream.updatedAt, 'updatedAt');
      // Identity and creation time are fixed: the statement matches on both id and owner.
      const result = this.#prepare(
        `UPDATE ssf_streams SET audience = ?, delivery_method = ?, endpoint_url = ?, authorization_header = ?, events_requested = ?, description = ?,
           default_subjects = ?, status = ?, status_reason = ?, updated_at = ? WHERE id = ? AND owner = ?`,
      ).run(
        JSON.stringify(stream.audience),
        stream.deliveryMethod,
        stream.endpointUrl ?? null,
        stream.authorizationHeader ?? null,
        JSON.stringify(stream.eventsRequested),
        stream.description ?? null,
        stream.defaultSubjects,
        stream.status,
        stream.statusReason ?? null,
        stream.updatedAt,
        stream.id,
        stream.owner,
      );
      return result.changes === 1;
    });
  }

  deleteStream(id: string): Promise<boolean> {
    return attempt(`deleting SSF stream ${id}`, () =>
      this.#db.transaction(() => {
        this.#prepare('DELETE FROM ssf_pending_events WHERE stream_id = ?').run(id);
        this.#prepare('DELETE FROM ssf_stream_subjects WHERE stream_id = ?').run(id);
        return this.#prepare('DELETE FROM ssf_streams WHERE id = ?').run(id).changes === 1;
      })(),
    );
  }

  putSubject(streamId: string, subject: SsfStreamSubject): Promise<void> {
    return attempt(`recording a subject of SSF stream ${streamId}`, () => {
      this.#requireStream(streamId);
      this.#prepare(
        `INSERT INTO ssf_stream_subjects (stream_id, subject_key, subject, included, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (stream_id, subject_key) DO UPDATE SET subject = excluded.subject, included = excluded.included, updated_at = excluded.updated_at`,
      ).run(streamId, subject.key, JSON.stringify(subject.subject), subject.included ? 1 : 0, new Date().toISOString());
    });
  }

  listSubjects(streamId: string): Promise<SsfStreamSubject[]> {
    return attempt(`listing subjects of SSF stream ${streamId}`, () =>
      this.#prepare<[string], SubjectRow>('SELECT subject_key, subject, included FROM ssf_stream_subjects WHERE stream_id = ? ORDER BY subject_key')
        .all(streamId)
        .map((row) => ({ key: row.subject_key, subject: readJsonColumn<Record<string, unknown>>(row.subject, 'SSF stream subject'), included: row.included === 1 })),
    );
  }

  enqueue(event: SsfPendingEvent, maxPending: number): Promise<string[]> {
    return attempt(`queueing SET ${event.jti} on SSF stream ${event.streamId}`, () => {
      if (!Number.isInteger(maxPending) || maxPending < 1) throw new TenetError('TENET_ERR_STORE_INVALID_ARGUMENT', `maxPending must be a positive integer, got ${maxPending}`);
      const createdMs = recordTime(event.createdAt, 'createdAt');
      return this.#db.transaction(() => {
        this.#requireStream(event.streamId);
        this.#prepare('INSERT INTO ssf_pending_events (stream_id, jti, token, created_at, created_at_ms) VALUES (?, ?, ?, ?, ?)').run(
          event.streamId,
          event.jti,
          event.token,
          event.createdAt,
          createdMs,
        );
        const excess = this.#prepare<[string, number], { jti: string }>(
          'SELECT jti FROM ssf_pending_events WHERE stream_id = ? ORDER BY seq DESC LIMIT -1 OFFSET ?',
        ).all(event.streamId, maxPending);
        const dropped = excess.map((row) => row.jti).reverse();
        const remove = this.#prepare('DELETE FROM ssf_pending_events WHERE stream_id = ? AND jti = ?');
        for (const jti of dropped) remove.run(event.streamId, jti);
        return dropped;
      })();
    });
  }

  pending(streamId: string, limit: number): Promise<SsfPendingEvent[]> {
    return attempt(`reading pending SETs of SSF stream ${streamId}`, () =>
      this.#prepare<[string, number], EventRow>('SELECT stream_id, jti, token, created_at FROM ssf_pending_events WHERE stream_id = ? ORDER BY seq LIMIT ?')
        .all(streamId, Math.max(0, Math.trunc(limit)))
        .map((row) => ({ streamId: row.stream_id, jti: row.jti, token: row.token, createdAt: row.created_at })),
    );
  }

  countPending(streamId: string): Promise<number> {
    return attempt(`counting pending SETs of SSF stream ${streamId}`, () => this.#prepare<[string], { n: number }>('SELECT count(*) AS n FROM ssf_pending_events WHERE stream_id = ?').get(streamId)?.n ?? 0);
  }

  acknowledge(streamId: string, jtis: readonly string[]): Promise<number> {
    return attempt(`acknowledging SETs of SSF stream ${streamId}`, () =>
      this.#db.transaction(() => {
        const remove = this.#prepare('DELETE FROM ssf_pending_events WHERE stream_id = ? AND jti = ?');
        let removed = 0;
        for (const jti of new Set(jtis)) removed += remove.run(streamId, jti).changes;
        return removed;
      })(),
    );
  }

  clearPending(streamId: string): Promise<number> {
    return attempt(`dropping pending SETs of SSF stream ${streamId}`, () => this.#prepare('DELETE FROM ssf_pending_events WHERE stream_id = ?').run(streamId).changes);
  }

  #requireStream(streamId: string): void {
    if (this.#prepare<[string], { id: string }>('SELECT id FROM ssf_streams WHERE id = ?').get(streamId) === undefined) {
      throw new TenetError('TENET_ERR_STORE_NOT_FOUND', `no SSF stream ${streamId}`);
    }
  }
}

/** Column values in COLUMNS order. */
function streamValues(stream: SsfStreamRecord): (string | null)[] {
  return [
    stream.id,
    stream.owner,
    JSON.stringify(stream.audience),
    stream.deliveryMethod,
    stream.endpointUrl ?? null,
    stream.authorizationHeader ?? null,
    JSON.stringify(stream.eventsRequested),
    stream.description ?? null,
    stream.defaultSubjects,
    stream.status,
    stream.statusReason ?? null,
    stream.createdAt,
    stream.updatedAt,
  ];
}

function toStream(row: StreamRow): SsfStreamRecord {
  return {
    id: row.id,
    owner: row.owner,
    audience: readJsonColumn<string[]>(row.audience, 'SSF stream audience'),
    deliveryMethod: row.delivery_method,
    ...(row.endpoint_url === null ? {} : { endpointUrl: row.endpoint_url }),
    ...(row.authorization_header === null ? {} : { authorizationHeader: row.authorization_header }),
    eventsRequested: readJsonColumn<string[]>(row.events_requested, 'SSF stream events'),
    ...(row.description === null ? {} : { description: row.description }),
    defaultSubjects: row.default_subjects,
    status: row.status,
    ...(row.status_reason === null ? {} : { statusReason: row.status_reason }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
