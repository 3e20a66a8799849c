// Tamper-evidence tests: each attack is made the way someone with write access to the SQLite file
// would make it (raw SQL, guard triggers dropped), then verification must name the first bad record.
import { describe, expect, it } from 'vitest';
import { AuditLog } from './decision-log.js';
import { loadOrCreateAuditKey, type AuditSigningKey } from './signing-key.js';
import { verifyAuditLog, verifyRecords } from './verify.js';
import { computeRecordHash, sealRecord } from './chain.js';
import { buildRecordFields } from './build.js';
import { signCheckpoint } from './checkpoint.js';
import { dropAppendOnlyGuards, memorySettings, openAuditTestDb, type AuditTestDb } from './testing/audit-db.js';
import { sampleEntry } from './testing/fixtures.js';
import type { AuditRecord } from './record.js';

interface Logged extends AuditTestDb {
  readonly key: AuditSigningKey;
  readonly records: AuditRecord[];
}

/** 30 records, checkpoints at 10, 20 and (on close) 30; guards dropped, ready to be attacked. */
async function loggedDb(count = 30, checkpointEvery = 10): Promise<Logged> {
  const testDb = openAuditTestDb();
  const key = await loadOrCreateAuditKey(memorySettings());
  const log = await AuditLog.open({ store: testDb.store, signingKey: key, checkpointEvery });
  for (let i = 1; i <= count; i += 1) await log.record(sampleEntry(i));
  await log.close();
  dropAppendOnlyGuards(testDb.db);
  return { ...testDb, key, records: await testDb.store.range(1, count) };
}

const verify = (t: Logged) => verifyAuditLog(t.store, [t.key.publicKey], { pageSize: 7 });

describe('verifyAuditLog', () => {
  it('accepts an untouched log, across pages', async () => {
    const t = await loggedDb();
    expect(await verify(t)).toEqual({ ok: true, records: 30, lastSeq: 30, lastHash: t.records[29]?.hash, checkpoints: 3, lastCheckpointSeq: 30, unanchored: 0 });
  });

  it('accepts an empty log', async () => {
    const t = openAuditTestDb();
    expect(await verifyAuditLog(t.store, [])).toMatchObject({ ok: true, records: 0, lastSeq: 0 });
  });

  const columns: [string, string][] = [
    ['decision_id', "'00000000-0000-4000-8000-000000000000'"],
    ['time', "'2020-01-01T00:00:00.000Z'"],
    ['pep', "'cli'"],
    ['caller', "'token:attacker'"],
    ['subject', `'User::"mallory"'`],
    ['action', "'delete'"],
    ['resource', `'App::Route::"admin"'`],
    ['outcome', "'allow'"],
    ['body', "replace(body, 'risk-too-high', 'policy-permit')"],
    ['prev_hash', "'" + '0'.repeat(64) + "'"],
    ['hash', "'" + 'e'.repeat(64) + "'"],
  ];
  for (const [column, value] of columns) {
    it(`detects an edit of ${column} as hash-mismatch at that record`, async () => {
      const t = await loggedDb();
      t.db.exec(`UPDATE audit_records SET ${column} = ${value} WHERE seq = 12`);
      expect((await verify(t)).failure).toMatchObject({ problem: 'hash-mismatch', seq: 12 });
    });
  }

  it('detects an edit whose hash was recomputed as broken-link at the next record', async () => {
    const t = await loggedDb();
    const original = t.records[11];
    if (original === undefined) throw new Error('fixture');
    const forged = { ...original, outcome: 'allow' as const };
    t.db.prepare('UPDATE audit_records SET outcome = ?, hash = ? WHERE seq = 12').run('allow', computeRecordHash(forged.prevHash, forged));
    expect((await verify(t)).failure).toMatchObject({ problem: 'broken-link', seq: 13, decisionId: t.records[12]?.decisionId });
  });

  it('detects a rewrite of all later history through the signed checkpoint', async () => {
    const t = await loggedDb();
    // Recompute the chain from seq 12 on, as an attacker without the key can.
    let prev = t.records[10];
    for (const record of t.records.slice(11)) {
      if (prev === undefined) throw new Error('fixture');
      const changed = record.seq === 12 ? { ...record, outcome: 'allow' as const } : record;
      const resealed = { ...changed, prevHash: prev.hash, hash: computeRecordHash(prev.hash, { ...changed }) };
      t.db.prepare('UPDATE audit_records SET outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(resealed.outcome, resealed.prevHash, resealed.hash, resealed.seq);
      prev = resealed;
    }
    expect((await verify(t)).failure).toMatchObject({ problem: 'checkpoint-mismatch', seq: 20 });
  });

  it('detects a deleted record as seq-gap', async () => {
    const t = await loggedDb();
    t.db.exec('DELETE FROM audit_records WHERE seq = 15');
    expect((await verify(t)).failure).toMatchObject({ problem: 'seq-gap', seq: 15 });
  });

  it('detects a forged record inserted in the middle (later records shifted)', async () => {
    const t = await loggedDb();
    const before = t.records[3];
    if (before === undefined) throw new Error('fixture');
    t.db.exec('UPDATE audit_records SET seq = seq + 1000000 WHERE seq >= 5');
    t.db.exec('UPDATE audit_records SET seq = seq - 1000000 + 1 WHERE seq > 1000000');
    const forged = sealRecord(before, buildRecordFields(sampleEntry(999, { outcome: 'allow' }), new Date()));
    await t.store.append([forged]);
    // The forged record (seq 5) links and hashes correctly; its successor, moved to seq 6, no longer does.
    expect((await verify(t)).failure).toMatchObject({ problem: 'hash-mismatch', seq: 6, decisionId: t.records[4]?.decisionId });
  });

  it('detects a forged record appended with a bad link', async () => {
    const t = await loggedDb();
    const forged = sealRecord({ seq: 30, hash: 'f'.repeat(64) }, buildRecordFields(sampleEntry(31), new Date()));
    await t.store.append([forged]);
    expect((await verify(t)).failure).toMatchObject({ problem: 'broken-link', seq: 31, decisionId: forged.decisionId });
  });

  it('detects two records swapped', async () => {
    const t = await loggedDb();
    t.db.exec('UPDATE audit_records SET seq = 1000 WHERE seq = 5; UPDATE audit_records SET seq = 5 WHERE seq = 6; UPDATE audit_records SET seq = 6 WHERE seq = 1000');
    expect((await verify(t)).failure).toMatchObject({ problem: 'hash-mismatch', seq: 5, decisionId: t.records[5]?.decisionId });
  });

  it('detects records delivered out of order by the source', async () => {
    const t = await loggedDb(5, 100);
    const [a, b, c, d, e] = t.records;
    if (!a || !b || !c || !d || !e) throw new Error('fixture');
    expect((await verifyRecords([a, b, d, c, e], [], [])).failure).toMatchObject({ problem: 'seq-gap', seq: 3 });
    expect((await verifyRecords([a, b, c, b], [], [])).failure).toMatchObject({ problem: 'seq-out-of-order', seq: 2 });
  });

  it('detects tail truncation past a checkpoint', async () => {
    const t = await loggedDb();
    t.db.exec('DELETE FROM audit_records WHERE seq > 25');
    expect((await verify(t)).failure).toMatchObject({ problem: 'truncated', seq: 26 });
  });

  it('cannot detect tail truncation after the newest checkpoint, and says how much is unanchored', async () => {
    const t = await loggedDb(25, 10); // checkpoints at 10, 20 and 25 (close)
    t.db.exec('DELETE FROM audit_checkpoints WHERE seq = 25; DELETE FROM audit_records WHERE seq > 22');
    expect(await verify(t)).toMatchObject({ ok: true, lastSeq: 22, lastCheckpointSeq: 20, unanchored: 2 });
  });

  it('detects a forged checkpoint', async () => {
    const t = await loggedDb();
    const record = t.records[14];
    if (record === undefined) throw new Error('fixture');
    const attackerKey = await loadOrCreateAuditKey(memorySettings());
    const forged = { ...signCheckpoint(attackerKey, record, new Date()), keyId: t.key.keyId };
    await t.store.addCheckpoint(forged);
    expect((await verify(t)).failure).toMatchObject({ problem: 'checkpoint-signature-invalid', seq: 15 });
  });

  it('detects an altered checkpoint and a forged one beyond the end', async () => {
    const t = await loggedDb();
    t.db.exec("UPDATE audit_checkpoints SET time = '2001-01-01T00:00:00.000Z' WHERE seq = 10");
    expect((await verify(t)).failure).toMatchObject({ problem: 'checkpoint-signature-invalid', seq: 10 });
    const u = await loggedDb();
    await u.store.addCheckpoint({ seq: 99, hash: 'a'.repeat(64), time: new Date().toISOString(), signature: 'AAAA', keyId: u.key.keyId });
    expect((await verify(u)).failure).toMatchObject({ problem: 'checkpoint-signature-invalid', seq: 99 });
  });

  it('rejects checkpoints when the verifier trusts a different key', async () => {
    const t = await loggedDb();
    const other = await loadOrCreateAuditKey(memorySettings());
    expect((await verifyAuditLog(t.store, [other.publicKey])).failure).toMatchObject({ problem: 'checkpoint-signature-invalid', seq: 10 });
  });

  it('crosses a huge seq gap in a few reads', async () => {
    const t = await loggedDb(3, 100);
    const far = sealRecord({ seq: 1e12, hash: 'f'.repeat(64) }, buildRecordFields(sampleEntry(4), new Date()));
    await t.store.append([far]);
    expect((await verify(t)).failure).toMatchObject({ problem: 'seq-gap', seq: 4 });
  });
});
