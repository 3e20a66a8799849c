// ThreatIntelStore over SQLite: indicators keyed by (indicator, source), so two feeds listing the
// same network or domain keep their own category and expiry, and replacing one feed leaves the
// others. Also ThreatFeedStateStore: each feed's fetch state (migration 0009).
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { ThreatFeedState, ThreatFeedStateStore, ThreatIndicator, ThreatIntelStore } from '../ports.js';
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

interface FeedStateRow {
  readonly source: string;
  readonly location: string;
  readonly etag: string | null;
  readonly last_modified: string | null;
  readonly checked_at: string;
  readonly succeeded_at: string | null;
  readonly last_error: string | null;
  readonly indicators: number;
}

const FEED_COLUMNS = 'source, location, etag, last_modified, checked_at, succeeded_at, last_error, indicators';

export class SqliteThreatFeedStateStore implements ThreatFeedStateStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(source: string): Promise<ThreatFeedState | undefined> {
    return attempt(`reading threat feed state "${source}"`, () => {
      const row = this.#db.prepare<[string], FeedStateRow>(`SELECT ${FEED_COLUMNS} FROM threat_feed_state WHERE source = ?`).get(source);
      return row === undefined ? undefined : toFeedState(row);
    });
  }

  put(state: ThreatFeedState): Promise<void> {
    return attempt(`writing threat feed state "${state.source}"`, () => {
      this.#db
        .prepare(`INSERT OR REPLACE INTO threat_feed_state (${FEED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(state.source, state.location, state.etag ?? null, state.lastModified ?? null, state.checkedAt, state.succeededAt ?? null, state.lastError ?? null, state.indicators);
    });
  }

  list(): Promise<ThreatFeedState[]> {
    return attempt('listing threat feed states', () => this.#db.prepare<[], FeedStateRow>(`SELECT ${FEED_COLUMNS} FROM threat_feed_state ORDER BY source`).all().map(toFeedState));
  }
}

function toFeedState(row: FeedStateRow): ThreatFeedState {
  return {
    source: row.source,
    location: row.location,
    ...(row.etag === null ? {} : { etag: row.etag }),
    ...(row.last_modified === null ? {} : { lastModified: row.last_modified }),
    checkedAt: row.checked_at,
    ...(row.succeeded_at === null ? {} : { succeededAt: row.succeeded_at }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    indicators: row.indicators,
  };
}
