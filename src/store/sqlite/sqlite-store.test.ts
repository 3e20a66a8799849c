// Runs the store contract suite against SQLite (in memory and on disk) and tests what only the
// SQLite adapter does: pragmas, reopening files, and refusing schemas from a newer Tenet.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '../contract/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { openConnection } from './connection.js';
import { openSqliteStore } from './sqlite-store.js';

const tempRoot = mkdtempSync(join(tmpdir(), 'tenet-sqlite-'));
let fileCounter = 0;
function tempDbPath(): string {
  fileCounter += 1;
  // A nested, not yet existing directory: opening must create it.
  return join(tempRoot, `case-${fileCounter}`, 'data', 'tenet.db');
}

afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

runStoreContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));
runStoreContract('sqlite file', () => openSqliteStore({ path: tempDbPath() }));

describe('sqlite store', () => {
  it('configures WAL, synchronous FULL, foreign keys and the busy timeout', () => {
    const db = openConnection(tempDbPath(), 1234);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      db.close();
    }
  });

  it('keeps data across reopening a file and does not re-run migrations', async () => {
    const path = tempDbPath();
    const first = await openSqliteStore({ path });
    await first.settings.put('k', 'v');
    await first.entities.upsertMany([{ uid: { type: 'User', id: 'alice' }, attrs: {}, parents: [] }]);
    await first.close();

    const inspect = new Database(path, { readonly: true });
    const appliedBefore = inspect.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all();
    inspect.close();
    expect(appliedBefore).toHaveLength(MIGRATIONS.length);

    const second = await openSqliteStore({ path });
    expect(await second.settings.get('k')).toBe('v');
    expect(await second.entities.count()).toBe(1);
    await second.close();

    const again = new Database(path, { readonly: true });
    expect(again.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(appliedBefore);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    again.close();
  });

  it('refuses a database whose schema is newer than this code knows', async () => {
    const path = tempDbPath();
    await (await openSqliteStore({ path })).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(MIGRATIONS.length + 1, 'from-the-future', new Date().toISOString());
    db.close();
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_SCHEMA_TOO_NEW', message: expect.stringMatching(/newer Tenet/) });
  });

  it('reports a file that is not a database as corrupt, without modifying it', async () => {
    const path = join(tempRoot, 'not-a-db.db');
    writeFileSync(path, 'this is not sqlite '.repeat(100));
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_CORRUPT' });
  });

  it('reports an unusable path as unavailable', async () => {
    const blocker = join(tempRoot, 'a-file');
    writeFileSync(blocker, '');
    await expect(openSqliteStore({ path: join(blocker, 'sub', 'tenet.db') })).rejects.toMatchObject({ code: 'TENET_ERR_STORE_UNAVAILABLE' });
  });

  it('hands a login state to one of two processes sharing the file, never to both', async () => {
    const path = tempDbPath();
    const [first, second] = [await openSqliteStore({ path }), await openSqliteStore({ path })];
    try {
      const state = {
        id: 'a'.repeat(64),
        providerId: 'corp',
        nonce: 'n',
        codeVerifier: 'v',
        returnTo: '/',
        browserBinding: 'b'.repeat(64),
        createdAt: '2025-03-01T10:00:00.000Z',
        expiresAt: '2025-03-01T10:10:00.000Z',
      };
      await first.sessions.putLoginState(state);
      const taken = await Promise.all([second.sessions.takeLoginState(state.id, state.createdAt), first.sessions.takeLoginState(state.id, state.createdAt)]);
      expect(taken).toEqual([state, undefined]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('enforces foreign keys (posture rows cannot outlive their device)', async () => {
    const path = tempDbPath();
    const store = await openSqliteStore({ path });
    await store.devices.upsertMany([{ id: 'd', managed: true, status: 'active', posture: { facts: {}, observedAt: '2025-01-01T00:00:00Z', source: 's' } }]);
    await store.devices.remove('d');
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM device_posture').get()).toEqual({ n: 0 });
    db.close();
  });
});
