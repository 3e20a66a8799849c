// EntityStore over SQLite: Cedar entities keyed by (type, id); attrs, parents and tags are kept
// as JSON exactly as given, so what is read back is what Cedar was (or will be) given.
import type Database from 'better-sqlite3';
import type { CedarEntity, CedarJsonValue } from '../../engine/signals.js';
import type { EntityRef } from '../../engine/tuple.js';
import type { EntityStore } from '../ports.js';
import { attempt, readJsonColumn } from './errors.js';

interface EntityRow {
  readonly type: string;
  readonly id: string;
  readonly attrs: string;
  readonly parents: string;
  readonly tags: string | null;
}

export class SqliteEntityStore implements EntityStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  list(): Promise<CedarEntity[]> {
    return attempt('listing entities', () =>
      this.#db.prepare<[], EntityRow>('SELECT type, id, attrs, parents, tags FROM entities ORDER BY type, id').all().map(toEntity),
    );
  }

  get(ref: EntityRef): Promise<CedarEntity | undefined> {
    return attempt('reading an entity', () => {
      const row = this.#db.prepare<[string, string], EntityRow>('SELECT type, id, attrs, parents, tags FROM entities WHERE type = ? AND id = ?').get(ref.type, ref.id);
      return row === undefined ? undefined : toEntity(row);
    });
  }

  upsertMany(entities: readonly CedarEntity[]): Promise<void> {
    return attempt('upserting entities', () => {
      const upsert = this.#db.prepare(
        `INSERT INTO entities (type, id, attrs, parents, tags, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (type, id) DO UPDATE SET attrs = excluded.attrs, parents = excluded.parents, tags = excluded.tags, updated_at = excluded.updated_at`,
      );
      const now = new Date().toISOString();
      this.#db.transaction(() => {
        for (const e of entities) {
          const parents = e.parents.map((p) => ({ type: p.type, id: p.id }));
          upsert.run(e.uid.type, e.uid.id, JSON.stringify(e.attrs), JSON.stringify(parents), e.tags === undefined ? null : JSON.stringify(e.tags), now);
        }
      })();
    });
  }

  remove(refs: readonly EntityRef[]): Promise<number> {
    return attempt('removing entities', () => {
      const del = this.#db.prepare('DELETE FROM entities WHERE type = ? AND id = ?');
      return this.#db.transaction(() => refs.reduce((n, ref) => n + del.run(ref.type, ref.id).changes, 0))();
    });
  }

  count(): Promise<number> {
    return attempt('counting entities', () => this.#db.prepare<[], { n: number }>('SELECT count(*) AS n FROM entities').get()?.n ?? 0);
  }
}

function toEntity(row: EntityRow): CedarEntity {
  const uid = { type: row.type, id: row.id };
  const attrs = readJsonColumn<Record<string, CedarJsonValue>>(row.attrs, 'entity attributes');
  const parents = readJsonColumn<EntityRef[]>(row.parents, 'entity parents');
  return row.tags === null ? { uid, attrs, parents } : { uid, attrs, parents, tags: readJsonColumn<Record<string, CedarJsonValue>>(row.tags, 'entity tags') };
}
