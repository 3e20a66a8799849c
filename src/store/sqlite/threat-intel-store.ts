// ThreatIntelStore over SQLite: indicators keyed by (indicator, source), so two feeds listing the
// same network keep their own category and expiry, and replacing one feed leaves the others.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { ThreatIndicator, ThreatIntelStore } from '../ports.js';
import { attempt } from './errors.js';

interface IndicatorRow {
  readonly indicator: string;
  readonly source: string;
  readonly category: string;
  readonly expires_at: string | null;
  readonly added_at: string;
}

const UPSERT = `INSERT INTO threat_indicators (indicator, source, category, expires_at, added_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (indicator, source) DO UPDATE SET category = excluded.category, expires_at = excluded.expires_at, added_at = excluded.added_at`;

export class SqliteThreatIntelStore implements ThreatIntelStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  list(): Promise<ThreatIndicator[]> {
    return attempt('listing threat indicators', () =>
      this.#db.prepare<[], IndicatorRow>('SELECT indicator, source, category, expires_at, added_at FROM threat_indicators ORDER BY source, indicator').all().map(toIndicator),
    );
  }

  replaceSource(source: string, indicators: readonly ThreatIndicator[]): Promise<void> {
    return attempt(`replacing threat source "${source}"`, () => {
      const foreign = indicators.find((i) => i.source !== source);
      if (foreign !== undefined) {
        throw new TenetError('TENET_ERR_STORE_CONSTRAINT', `replacing source "${source}": indicator ${foreign.indicator} belongs to source "${foreign.source}"; nothing was written`);
      }
      const clear = this.#db.prepare('DELETE FROM threat_indicators WHERE source = ?');
      const upsert = this.#db.prepare(UPSERT);
      this.#db.transaction(() => {
        clear.run(source);
        for (const i of indicators) upsert.run(...toParams(i));
      })();
    });
  }

  upsertMany(indicators: readonly ThreatIndicator[]): Promise<void> {
    return attempt('upserting threat indicators', () => {
      const upsert = this.#db.prepare(UPSERT);
      this.#db.transaction(() => {
        for (const i of indicators) upsert.run(...toParams(i));
      })();
    });
  }

  remove(indicator: string, source?: string): Promise<number> {
    return attempt(`removing threat indicator ${indicator}`, () =>
      source === undefined
        ? this.#db.prepare('DELETE FROM threat_indicators WHERE indicator = ?').run(indicator).changes
        : this.#db.prepare('DELETE FROM threat_indicators WHERE indicator = ? AND source = ?').run(indicator, source).changes,
    );
  }
}

function toParams(i: ThreatIndicator): [string, string, string, string | null, string] {
  return [i.indicator, i.source, i.category, i.expiresAt ?? null, i.addedAt];
}

function toIndicator(row: IndicatorRow): ThreatIndicator {
  const base = { indicator: row.indicator, category: row.category, source: row.source, addedAt: row.added_at };
  return row.expires_at === null ? base : { ...base, expiresAt: row.expires_at };
}
