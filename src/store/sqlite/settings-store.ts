// SettingsStore over SQLite: small named values (generated keys, the active policy version).
import type Database from 'better-sqlite3';
import type { SettingsStore } from '../ports.js';
import { attempt } from './errors.js';

export class SqliteSettingsStore implements SettingsStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get(name: string): Promise<string | undefined> {
    return attempt(`reading setting "${name}"`, () => this.#db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?').get(name)?.value);
  }

  put(name: string, value: string): Promise<void> {
    return attempt(`writing setting "${name}"`, () => {
      this.#db
        .prepare('INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
        .run(name, value, new Date().toISOString());
    });
  }
}
