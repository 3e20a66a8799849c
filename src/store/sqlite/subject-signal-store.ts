// SubjectSignalStore over SQLite (migration 0006): the newest report per (subject, source). An
// older report than the stored one is ignored in the statement itself (the upsert's WHERE), so two
// deliveries racing each other cannot put an old level back.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { SubjectSignalRecord, SubjectSignalStore } from '../ports.js';
import { attempt } from './errors.js';
import { recordTime } from './instant.js';
import { cachedPrepare, type Prepare } from './statement-cache.js';

interface SubjectSignalRow {
  readonly subject: string;
  readonly source: string;
  readonly risk_level: 'low' | 'medium' | 'high';
  readonly reason: string;
  readonly observed_at: string;
}

const COLUMNS = 'subject, source, risk_level, reason, observed_at';
const LEVELS: ReadonlySet<string> = new Set(['low', 'medium', 'high']);

export class SqliteSubjectSignalStore implements SubjectSignalStore {
  readonly #prepare: Prepare;

  constructor(db: Database.Database) {
    this.#prepare = cachedPrepare(db);
  }

  put(record: SubjectSignalRecord): Promise<boolean> {
    return attempt(`recording a risk signal for ${record.subject}`, () => {
      if (record.subject === '' || record.source === '') throw new TenetError('TENET_ERR_STORE_CONSTRAINT', 'a subject signal needs a subject and a source; nothing was written');
      if (!LEVELS.has(record.riskLevel)) throw new TenetError('TENET_ERR_STORE_CONSTRAINT', `risk level "${record.riskLevel}" is not low, medium or high; nothing was written`);
      const observedMs = recordTime(record.observedAt, 'observedAt');
      const result = this.#prepare(
        `INSERT INTO subject_signals (${COLUMNS}, observed_at_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (subject, source) DO UPDATE SET risk_level = excluded.risk_level, reason = excluded.reason,
           observed_at = excluded.observed_at, observed_at_ms = excluded.observed_at_ms
         WHERE excluded.observed_at_ms >= subject_signals.observed_at_ms`,
      ).run(record.subject, record.source, record.riskLevel, record.reason, record.observedAt, observedMs);
      return result.changes === 1;
    });
  }

  list(): Promise<SubjectSignalRecord[]> {
    return attempt('listing subject signals', () => this.#prepare<[], SubjectSignalRow>(`SELECT ${COLUMNS} FROM subject_signals ORDER BY subject, source`).all().map(toRecord));
  }

  listFor(subject: string): Promise<SubjectSignalRecord[]> {
    return attempt(`listing signals for ${subject}`, () =>
      this.#prepare<[string], SubjectSignalRow>(`SELECT ${COLUMNS} FROM subject_signals WHERE subject = ? ORDER BY source`).all(subject).map(toRecord),
    );
  }

  remove(subject: string, source: string): Promise<boolean> {
    return attempt(`removing a signal for ${subject}`, () => this.#prepare('DELETE FROM subject_signals WHERE subject = ? AND source = ?').run(subject, source).changes === 1);
  }
}

function toRecord(row: SubjectSignalRow): SubjectSignalRecord {
  return { subject: row.subject, source: row.source, riskLevel: row.risk_level, reason: row.reason, observedAt: row.observed_at };
}
