// Runs the AuditStore contract against SQLite, plus the SQLite-only guard rails of migration 0002.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { runAuditStoreContract } from '../contract/audit.contract.js';
import { migrate } from './migrate.js';
import { SqliteAuditStore } from './audit-store.js';
import { buildRecordFields } from '../../audit/build.js';
import { EMPTY_HEAD, sealRecord } from '../../audit/chain.js';
import { sampleEntry } from '../../audit/testing/fixtures.js';

function openMemory(): { db: Database.Database; store: SqliteAuditStore } {
  const db = new Database(':memory:');
  migrate(db);
  return { db, store: new SqliteAuditStore(db) };
}

runAuditStoreContract(async () => openMemory().store);

describe('SqliteAuditStore guard rails', () => {
  it('refuses UPDATE and DELETE of records and checkpoints (append-only triggers)', async () => {
    const { db, store } = openMemory();
    const record = sealRecord(EMPTY_HEAD, buildRecordFields(sampleEntry(1), new Date()));
    await store.append([record]);
    await store.addCheckpoint({ seq: 1, hash: record.hash, time: record.time, signature: 'c2ln', keyId: 'k' });
    expect(() => db.prepare("UPDATE audit_records SET outcome = 'allow'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_records').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE audit_checkpoints SET hash = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_checkpoints').run()).toThrow(/append-only/);
    expect(await store.last()).toEqual(record);
  });

  it('uses an index for filtered, newest-first queries', () => {
    const { db } = openMemory();
    for (const column of ['subject', 'resource', 'outcome', 'time']) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM audit_records WHERE ${column} = ? AND seq < ? ORDER BY seq DESC LIMIT 10`).all('x', 100);
      expect(JSON.stringify(plan)).toMatch(new RegExp(`audit_records_by_${column}`));
    }
  });

  it('reports a closed database as a store error', async () => {
    const { db, store } = openMemory();
    db.close();
    await expect(store.last()).rejects.toMatchObject({ code: 'TENET_ERR_STORE_UNAVAILABLE' });
  });
});
