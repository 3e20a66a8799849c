// SQLite adapter of the AuditStore port. Durability comes from the connection (WAL +
// synchronous=FULL, set by openSqliteStore): a resolved `append` has been fsynced. better-sqlite3
// is synchronous, so each method runs to completion before the next; the async signatures are
// the port's, shared with network stores.
import type Database from 'better-sqlite3';
import type { AuditStore } from '../ports.js';
import { AUDIT_QUERY_MAX_LIMIT, type AuditCheckpoint, type AuditPage, type AuditQuery, type AuditRecord } from '../../audit/record.js';
import { TenetError } from '../../errors.js';
import { attempt } from './errors.js';

interface RecordRow {
  seq: number;
  decision_id: string;
  time: string;
  pep: string;
  caller: string | null;
  subject: string;
  action: string;
  resource: string;
  outcome: AuditRecord['outcome'];
  body: string;
  prev_hash: string;
  hash: string;
}

interface CheckpointRow {
  seq: number;
  hash: string;
  time: string;
  signature: string;
  key_id: string;
}

const RECORD_COLUMNS = 'seq, decision_id, time, pep, caller, subject, action, resource, outcome, body, prev_hash, hash';

export class SqliteAuditStore implements AuditStore {
  private readonly db: Database.Database;
  private readonly insertRecord: Database.Statement<RecordRow>;
  private readonly selectLast: Database.Statement<[], RecordRow>;
  private readonly selectRange: Database.Statement<[number, number], RecordRow>;
  private readonly insertCheckpoint: Database.Statement<CheckpointRow>;
  private readonly selectCheckpoints: Database.Statement<[], CheckpointRow>;
  private readonly appendAll: (records: readonly AuditRecord[]) => void;

  constructor(db: Database.Database) {
    this.db = db;
    this.insertRecord = db.prepare(
      `INSERT INTO audit_records (${RECORD_COLUMNS})
       VALUES (@seq, @decision_id, @time, @pep, @caller, @subject, @action, @resource, @outcome, @body, @prev_hash, @hash)`,
    );
    this.selectLast = db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records ORDER BY seq DESC LIMIT 1`);
    this.selectRange = db.prepare(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE seq >= ? AND seq < ? ORDER BY seq`);
    this.insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (seq, hash, time, signature, key_id) VALUES (@seq, @hash, @time, @signature, @key_id)');
    this.selectCheckpoints = db.prepare('SELECT seq, hash, time, signature, key_id FROM audit_checkpoints ORDER BY seq');
    // One transaction per batch: all records of a group commit land together or not at all.
    this.appendAll = db.transaction((records: readonly AuditRecord[]) => {
      for (const record of records) this.insertRecord.run(toRow(record));
    });
  }

  append(records: readonly AuditRecord[]): Promise<void> {
    return attempt('appending audit records', () => {
      if (records.length > 0) this.appendAll(records);
    });
  }

  last(): Promise<AuditRecord | undefined> {
    return attempt('reading the last audit record', () => {
      const row = this.selectLast.get();
      return row === undefined ? undefined : fromRow(row);
    });
  }

  range(fromSeq: number, limit: number): Promise<AuditRecord[]> {
    return attempt('reading audit records', () => (limit <= 0 ? [] : this.selectRange.all(fromSeq, fromSeq + limit).map(fromRow)));
  }

  query(query: AuditQuery): Promise<AuditPage> {
    return attempt('querying audit records', () => this.runQuery(query));
  }

  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return attempt('storing an audit checkpoint', () => {
      this.insertCheckpoint.run({ seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time, signature: checkpoint.signature, key_id: checkpoint.keyId });
    });
  }

  checkpoints(): Promise<AuditCheckpoint[]> {
    return attempt('reading audit checkpoints', () =>
      this.selectCheckpoints.all().map((row) => ({ seq: row.seq, hash: row.hash, time: row.time, signature: row.signature, keyId: row.key_id })),
    );
  }

  private runQuery(query: AuditQuery): AuditPage {
    const limit = pageLimit(query.limit);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const filter = (sql: string, value: string | number | undefined): void => {
      if (value === undefined) return;
      where.push(sql);
      params.push(value);
    };
    filter('subject = ?', query.subject);
    filter('resource = ?', query.resource);
    filter('outcome = ?', query.outcome);
    filter('decision_id = ?', query.decisionId);
    filter('time >= ?', query.from === undefined ? undefined : isoBound(query.from, 'from'));
    filter('time < ?', query.to === undefined ? undefined : isoBound(query.to, 'to'));
    filter('seq < ?', query.cursor === undefined ? undefined : decodeCursor(query.cursor));
    const sql = `SELECT ${RECORD_COLUMNS} FROM audit_records ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = this.db.prepare<(string | number)[], RecordRow>(sql).all(...params, limit + 1);
    const records = rows.slice(0, limit).map(fromRow);
    const lastReturned = records.at(-1);
    return rows.length > limit && lastReturned !== undefined ? { records, nextCursor: encodeCursor(lastReturned.seq) } : { records };
  }
}

function toRow(record: AuditRecord): RecordRow {
  return {
    seq: record.seq,
    decision_id: record.decisionId,
    time: record.time,
    pep: record.pep,
    caller: record.caller ?? null,
    subject: record.subject,
    action: record.action,
    resource: record.resource,
    outcome: record.outcome,
    body: record.body,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

function fromRow(row: RecordRow): AuditRecord {
  const record: AuditRecord = {
    seq: row.seq,
    decisionId: row.decision_id,
    time: row.time,
    pep: row.pep,
    subject: row.subject,
    action: row.action,
    resource: row.resource,
    outcome: row.outcome,
    body: row.body,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  return row.caller === null ? record : { ...record, caller: row.caller };
}

function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new TenetError('TENET_ERR_REQUEST_INVALID_LIMIT', `limit must be a positive integer, got ${limit}`, [{ path: 'limit', message: 'must be a positive integer' }]);
  }
  return Math.min(limit, AUDIT_QUERY_MAX_LIMIT);
}

/** Record times are stored in `toISOString()` form; bounds are normalised the same way so text order is time order. */
function isoBound(value: string, path: 'from' | 'to'): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new TenetError('TENET_ERR_REQUEST_INVALID_TIME', `${path} is not an ISO 8601 time: ${JSON.stringify(value)}`, [{ path, message: 'expected an ISO 8601 time' }]);
  }
  return new Date(ms).toISOString();
}

// The cursor is opaque to clients (they must not build one), but it is only a position: the seq
// of the last record returned. Base64url keeps it URL-safe and discourages hand-editing.
const CURSOR_PREFIX = 'audit:v1:';

function encodeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new TenetError('TENET_ERR_REQUEST_INVALID_CURSOR', 'cursor is not one this server issued', [{ path: 'cursor', message: 'pass back the nextCursor of a previous page unchanged' }]);
  }
  return seq;
}
