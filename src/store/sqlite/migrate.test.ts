// Tests for the migration runner with synthetic migration lists (the released list is exercised
// by sqlite-store.test.ts).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Migration } from './migrations/migration.js';
import { migrate } from './migrate.js';

const one: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER) STRICT;' };
const two: Migration = { version: 2, name: 'two', sql: 'CREATE TABLE b (y INTEGER) STRICT; INSERT INTO b VALUES (1);' };
const broken: Migration = { version: 3, name: 'broken', sql: 'CREATE TABLE c (z INTEGER); THIS IS NOT SQL;' };

describe('migrate', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  it('applies pending migrations in order and records them', () => {
    expect(migrate(db, [one])).toEqual({ applied: [1], version: 1 });
    expect(migrate(db, [one, two])).toEqual({ applied: [2], version: 2 });
    expect(migrate(db, [one, two])).toEqual({ applied: [], version: 2 });
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'one' },
      { version: 2, name: 'two' },
    ]);
    expect(db.prepare('SELECT y FROM b').all()).toEqual([{ y: 1 }]);
  });

  it('rolls back a failing migration entirely and keeps earlier ones', () => {
    expect(() => migrate(db, [one, two, broken])).toThrow(expect.objectContaining({ code: 'TENET_ERR_STORE_MIGRATION_FAILED', message: expect.stringContaining('3 (broken)') }));
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'schema_migrations' }]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('refuses a schema newer than the code', () => {
    migrate(db, [one, two]);
    expect(() => migrate(db, [one])).toThrow(expect.objectContaining({ code: 'TENET_ERR_STORE_SCHEMA_TOO_NEW' }));
  });

  it('refuses a database whose applied migration has another name', () => {
    migrate(db, [one]);
    expect(() => migrate(db, [{ ...one, name: 'renamed' }])).toThrow(expect.objectContaining({ code: 'TENET_ERR_STORE_SCHEMA_MISMATCH' }));
  });

  it('rejects a migration list with gaps or disorder', () => {
    expect(() => migrate(db, [two, one])).toThrow(expect.objectContaining({ code: 'TENET_ERR_INTERNAL_MIGRATION_ORDER' }));
  });
});
