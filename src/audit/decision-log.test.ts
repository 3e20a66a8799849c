import { describe, expect, it, vi } from 'vitest';
import type { AuditStore } from '../store/ports.js';
import type { AuditCheckpoint, AuditRecord } from './record.js';
import { AuditLog, type AuditLogOptions } from './decision-log.js';
import { loadOrCreateAuditKey } from './signing-key.js';
import { verifyAuditLog } from './verify.js';
import { memorySettings, openAuditTestDb } from './testing/audit-db.js';
import { sampleEntry } from './testing/fixtures.js';
import { isTenetError } from '../errors.js';

/** Wraps a real store so a test can hold appends open or make them fail. */
class ControlledStore implements AuditStore {
  appends: number[] = [];
  failAppends = 0;
  failCheckpoints = false;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(private readonly inner: AuditStore) {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    this.appends.push(records.length);
    if (this.gate !== undefined) await this.gate;
    if (this.failAppends > 0) {
      this.failAppends -= 1;
      throw new Error('disk full');
    }
    return this.inner.append(records);
  }

  last = (): Promise<AuditRecord | undefined> => this.inner.last();
  range = (from: number, limit: number): Promise<AuditRecord[]> => this.inner.range(from, limit);
  query: AuditStore['query'] = (q) => this.inner.query(q);
  checkpoints = (): Promise<AuditCheckpoint[]> => this.inner.checkpoints();
  addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    return this.failCheckpoints ? Promise.reject(new Error('checkpoint write failed')) : this.inner.addCheckpoint(checkpoint);
  }
}

async function setup(options: Partial<AuditLogOptions> = {}) {
  const testDb = openAuditTestDb();
  const store = new ControlledStore(testDb.store);
  const key = await loadOrCreateAuditKey(memorySettings());
  const log = await AuditLog.open({ store, signingKey: key, ...options });
  return { ...testDb, store, key, log };
}

const codeOf = (error: unknown): string | undefined => (isTenetError(error) ? error.code : undefined);

describe('AuditLog', () => {
  it('commits entries that arrive together in one batch, with gapless seqs', async () => {
    const { log, store, key, db } = await setup();
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record(sampleEntry(i))));
    expect(store.appends).toEqual([50]);
    expect(log.counters()).toMatchObject({ recorded: 50, batches: 1, rejected: 0, lastSeq: 50 });
    expect((await store.range(1, 100)).map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await verifyAuditLog(store, [key.publicKey])).ok).toBe(true);
    db.close();
  });

  it('bounds the batch size', async () => {
    const { log, store } = await setup({ maxBatch: 16 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.record(sampleEntry(i))));
    expect(store.appends).toEqual([16, 16, 8]);
  });

  it('resolves record() only after the store committed it', async () => {
    const { log, store } = await setup();
    store.hold();
    let done = false;
    const pending = log.record(sampleEntry(1)).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.appends).toEqual([1]);
    expect(done).toBe(false);
    expect(await store.last()).toBeUndefined();
    store.release();
    await pending;
    expect(done).toBe(true);
    expect((await store.last())?.seq).toBe(1);
  });

  it('rejects at once with TENET_ERR_AUDIT_BACKPRESSURE when the queue is full, and drops nothing it accepted', async () => {
    const { log, store } = await setup({ maxQueue: 5, maxBatch: 1 });
    store.hold();
    const first = log.record(sampleEntry(0));
    await new Promise((resolve) => setImmediate(resolve)); // entry 0 is now in flight
    const queued = Array.from({ length: 5 }, (_, i) => log.record(sampleEntry(i + 1)));
    await expect(log.record(sampleEntry(99))).rejects.toMatchObject({ code: 'TENET_ERR_AUDIT_BACKPRESSURE' });
    expect(log.counters()).toMatchObject({ rejected: 1, rejectedBackpressure: 1, queued: 5 });
    store.release();
    await Promise.all([first, ...queued]);
    expect(log.counters()).toMatchObject({ recorded: 6, lastSeq: 6 });
  });

  it('rejects the failed batch and everything queued with TENET_ERR_AUDIT_UNAVAILABLE, then resumes the chain correctly', async () => {
    const { log, store, key } = await setup({ maxBatch: 2 });
    await log.record(sampleEntry(0));
    store.failAppends = 1;
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => log.record(sampleEntry(i + 1))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    for (const r of results) expect(r.status === 'rejected' && codeOf(r.reason)).toBe('TENET_ERR_AUDIT_UNAVAILABLE');
    expect(log.counters()).toMatchObject({ recorded: 1, failedBatches: 1, rejectedUnavailable: 5, lastSeq: 1 });

    await Promise.all([log.record(sampleEntry(10)), log.record(sampleEntry(11))]);
    expect(log.counters().lastSeq).toBe(3);
    const verified = await verifyAuditLog(store, [key.publicKey]);
    expect(verified).toMatchObject({ ok: true, records: 3 });
  });

  it('resumes seq and prevHash from the store when reopened', async () => {
    const { log, store, key } = await setup();
    await Promise.all([1, 2, 3].map((n) => log.record(sampleEntry(n))));
    await log.close();
    const reopened = await AuditLog.open({ store, signingKey: key });
    expect(reopened.chainHead.seq).toBe(3);
    await reopened.record(sampleEntry(4));
    const records = await store.range(1, 10);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(records[3]?.prevHash).toBe(records[2]?.hash);
    expect((await verifyAuditLog(store, [key.publicKey])).ok).toBe(true);
  });

  it('signs a checkpoint every N records and at close', async () => {
    const { log, store, key } = await setup({ checkpointEvery: 10, maxBatch: 7 });
    await Promise.all(Array.from({ length: 25 }, (_, i) => log.record(sampleEntry(i))));
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([10, 20]);
    await log.close();
    const checkpoints = await store.checkpoints();
    expect(checkpoints.map((c) => c.seq)).toEqual([10, 20, 25]);
    expect(checkpoints.every((c) => c.keyId === key.keyId)).toBe(true);
    expect(await verifyAuditLog(store, [key.publicKey])).toMatchObject({ ok: true, checkpoints: 3, lastCheckpointSeq: 25, unanchored: 0 });
  });

  it('signs a checkpoint on a timer when records arrived since the last, and not twice for the same seq', async () => {
    const { log, store } = await setup({ checkpointEvery: 1000, checkpointIntervalMs: 20 });
    await Promise.all([1, 2, 3].map((n) => log.record(sampleEntry(n))));
    await vi.waitFor(async () => expect((await store.checkpoints()).map((c) => c.seq)).toEqual([3]), { timeout: 5000 });
    await log.record(sampleEntry(4));
    await vi.waitFor(async () => expect((await store.checkpoints()).map((c) => c.seq)).toEqual([3, 4]), { timeout: 5000 });
    await log.close();
    expect((await store.checkpoints()).map((c) => c.seq)).toEqual([3, 4]);
  });

  it('keeps recording when a checkpoint cannot be stored, and reports it', async () => {
    const errors: string[] = [];
    const { log, store } = await setup({ checkpointEvery: 2, onError: (e) => errors.push(e.code) });
    store.failCheckpoints = true;
    await Promise.all([1, 2, 3].map((n) => log.record(sampleEntry(n))));
    expect(log.counters()).toMatchObject({ recorded: 3, checkpointFailures: 1 });
    expect(errors).toEqual(['TENET_ERR_AUDIT_CHECKPOINT_FAILED']);
  });

  it('flushes pending entries on close and refuses new ones afterwards', async () => {
    const { log, store } = await setup();
    const pending = Array.from({ length: 5 }, (_, i) => log.record(sampleEntry(i)));
    await log.close();
    await Promise.all(pending);
    expect((await store.last())?.seq).toBe(5);
    await expect(log.record(sampleEntry(9))).rejects.toMatchObject({ code: 'TENET_ERR_AUDIT_CLOSED' });
    await log.close(); // idempotent
  });

  it('rejects only the entry that cannot be serialised', async () => {
    const { log } = await setup();
    const bad = { ...sampleEntry(2), decision: { ...sampleEntry(2).decision, latencyMicros: 10n as unknown as number } };
    const results = await Promise.allSettled([log.record(sampleEntry(1)), log.record(bad), log.record(sampleEntry(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]?.status === 'rejected' && codeOf(results[1].reason)).toBe('TENET_ERR_AUDIT_INVALID_ENTRY');
    expect(log.counters()).toMatchObject({ recorded: 2, rejectedInvalid: 1, lastSeq: 2 });
  });

  it('refuses to open a log truncated behind a checkpoint', async () => {
    const { log, store, key } = await setup();
    await log.record(sampleEntry(1));
    await store.addCheckpoint({ seq: 5, hash: 'a'.repeat(64), time: new Date().toISOString(), signature: '', keyId: key.keyId });
    await expect(AuditLog.open({ store, signingKey: key })).rejects.toMatchObject({ code: 'TENET_ERR_AUDIT_TRUNCATED' });
  });

  it('validates its sizing options', async () => {
    const { store } = await setup();
    await expect(AuditLog.open({ store, maxQueue: 0 })).rejects.toMatchObject({ code: 'TENET_ERR_CONFIG_INVALID' });
  });
});
