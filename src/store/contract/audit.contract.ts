// Contract tests for AuditStore: every adapter must store the decision log append-only, all or
// nothing per batch, return it in seq order, and page queries newest first with an opaque cursor.
// Usage: runAuditStoreContract(async () => (await openSqliteStore({ path: ':memory:' })).audit)
import { describe, expect, it } from 'vitest';
import type { AuditStore } from '../ports.js';
import type { AuditCheckpoint, AuditRecord } from '../../audit/record.js';
import { AUDIT_QUERY_MAX_LIMIT } from '../../audit/record.js';
import { buildRecordFields } from '../../audit/build.js';
import { EMPTY_HEAD, sealRecord, type ChainHead } from '../../audit/chain.js';
import { sampleEntry, type EntryOptions } from '../../audit/testing/fixtures.js';

/** Chains `count` records after `head`; `options(n)` shapes record n (1-based). */
function chain(count: number, head: ChainHead = EMPTY_HEAD, options: (n: number) => EntryOptions = () => ({})): AuditRecord[] {
  const records: AuditRecord[] = [];
  let at = head;
  for (let i = 0; i < count; i += 1) {
    const n = at.seq + 1;
    const record = sealRecord(at, buildRecordFields(sampleEntry(n, options(n)), new Date()));
    records.push(record);
    at = record;
  }
  return records;
}

function lastOf(records: readonly AuditRecord[]): AuditRecord {
  const last = records.at(-1);
  if (last === undefined) throw new Error('empty chain');
  return last;
}

function checkpointAt(record: AuditRecord): AuditCheckpoint {
  return { seq: record.seq, hash: record.hash, time: '2025-03-01T10:00:00.000Z', signature: 'c2ln', keyId: 'k1' };
}

export function runAuditStoreContract(open: () => Promise<AuditStore>): void {
  describe('audit store contract', () => {
    it('starts empty', async () => {
      const store = await open();
      expect(await store.last()).toBeUndefined();
      expect(await store.range(1, 10)).toEqual([]);
      expect(await store.checkpoints()).toEqual([]);
      expect(await store.query({ limit: 10 })).toEqual({ records: [] });
    });

    it('returns appended records unchanged, omitting an absent caller', async () => {
      const store = await open();
      const records = chain(3, EMPTY_HEAD, (n) => (n === 2 ? { caller: 'token:ci' } : {}));
      await store.append(records);
      expect(await store.range(1, 10)).toEqual(records);
      expect(await store.last()).toEqual(records[2]);
      const [first, second] = await store.range(1, 2);
      expect(first !== undefined && 'caller' in first).toBe(false);
      expect(second?.caller).toBe('token:ci');
    });

    it('reads seq windows [from, from+limit) in seq order', async () => {
      const store = await open();
      const records = chain(10);
      await store.append(records.slice(0, 4));
      await store.append(records.slice(4));
      expect((await store.range(3, 4)).map((r) => r.seq)).toEqual([3, 4, 5, 6]);
      expect((await store.range(9, 100)).map((r) => r.seq)).toEqual([9, 10]);
      expect(await store.range(11, 5)).toEqual([]);
      expect(await store.range(1, 0)).toEqual([]);
    });

    it('appends a batch all or nothing, and never overwrites a seq', async () => {
      const store = await open();
      const [r1, r2, r3, r4, r5] = chain(5);
      if (r1 === undefined || r2 === undefined || r3 === undefined || r4 === undefined || r5 === undefined) throw new Error('fixture');
      const records = [r1, r2, r3];
      await store.append(records);
      // The batch's second record reuses seq 3: the whole batch must be refused.
      await expect(store.append([r4, { ...r3, hash: 'f'.repeat(64) }, r5])).rejects.toThrow();
      expect((await store.range(1, 10)).map((r) => r.seq)).toEqual([1, 2, 3]);
      expect((await store.last())?.hash).toBe(records[2]?.hash);
      await store.append([]);
      expect((await store.last())?.seq).toBe(3);
    });

    it('filters queries by subject, resource, outcome, decision id and time range', async () => {
      const store = await open();
      const records = chain(30, EMPTY_HEAD, (n) => ({ decidedAt: new Date(Date.UTC(2025, 2, 1, 0, n)).toISOString() }));
      await store.append(records);
      const seqs = async (query: Parameters<AuditStore['query']>[0]): Promise<number[]> => (await store.query(query)).records.map((r) => r.seq);
      const expected = (keep: (r: AuditRecord) => boolean): number[] => records.filter(keep).map((r) => r.seq).reverse();

      expect(await seqs({ subject: 'User::"user-2"', limit: 100 })).toEqual(expected((r) => r.subject === 'User::"user-2"'));
      expect(await seqs({ resource: 'App::Route::"route-1"', limit: 100 })).toEqual(expected((r) => r.resource === 'App::Route::"route-1"'));
      expect(await seqs({ outcome: 'deny', limit: 100 })).toEqual(expected((r) => r.outcome === 'deny'));
      const target = records[16];
      expect(await seqs({ decisionId: target?.decisionId ?? '', limit: 100 })).toEqual([17]);
      // from inclusive, to exclusive; bounds in another ISO form are normalised.
      expect(await seqs({ from: '2025-03-01T00:10:00Z', to: '2025-03-01T00:13:00.000Z', limit: 100 })).toEqual([12, 11, 10]);
      expect(await seqs({ subject: 'User::"user-0"', outcome: 'deny', from: '2025-03-01T00:10:00Z', limit: 100 })).toEqual(
        expected((r) => r.subject === 'User::"user-0"' && r.outcome === 'deny' && r.seq >= 10),
      );
      expect(await seqs({ subject: 'User::"nobody"', limit: 100 })).toEqual([]);
    });

    it('pages newest first with a cursor: no overlap, no gap, stable while records are appended', async () => {
      const store = await open();
      const records = chain(25);
      await store.append(records);
      const first = await store.query({ limit: 10 });
      expect(first.records.map((r) => r.seq)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
      expect(first.nextCursor).toBeDefined();
      await store.append(chain(5, lastOf(records)));
      const second = await store.query({ limit: 10, ...(first.nextCursor === undefined ? {} : { cursor: first.nextCursor }) });
      expect(second.records.map((r) => r.seq)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
      const third = await store.query({ limit: 10, ...(second.nextCursor === undefined ? {} : { cursor: second.nextCursor }) });
      expect(third.records.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
      expect(third.nextCursor).toBeUndefined();
    });

    it('caps the page size', async () => {
      const store = await open();
      await store.append(chain(AUDIT_QUERY_MAX_LIMIT + 5));
      const page = await store.query({ limit: 10 * AUDIT_QUERY_MAX_LIMIT });
      expect(page.records).toHaveLength(AUDIT_QUERY_MAX_LIMIT);
      expect(page.nextCursor).toBeDefined();
    });

    it('rejects a forged cursor, a non-positive limit and an unparseable time with TenetErrors', async () => {
      const store = await open();
      await store.append(chain(2));
      await expect(store.query({ limit: 10, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'TENET_ERR_REQUEST_INVALID_CURSOR' });
      await expect(store.query({ limit: 10, cursor: Buffer.from('audit:v1:-3').toString('base64url') })).rejects.toMatchObject({
        code: 'TENET_ERR_REQUEST_INVALID_CURSOR',
      });
      await expect(store.query({ limit: 0 })).rejects.toMatchObject({ code: 'TENET_ERR_REQUEST_INVALID_LIMIT' });
      await expect(store.query({ limit: 10, from: 'yesterday' })).rejects.toMatchObject({ code: 'TENET_ERR_REQUEST_INVALID_TIME' });
    });

    it('stores checkpoints, returns them in seq order and refuses a second one at the same seq', async () => {
      const store = await open();
      const records = chain(6);
      await store.append(records);
      const [, , third, , , sixth] = records;
      if (third === undefined || sixth === undefined) throw new Error('fixture');
      await store.addCheckpoint(checkpointAt(sixth));
      await store.addCheckpoint(checkpointAt(third));
      expect(await store.checkpoints()).toEqual([checkpointAt(third), checkpointAt(sixth)]);
      await expect(store.addCheckpoint({ ...checkpointAt(sixth), signature: 'b3RoZXI=' })).rejects.toThrow();
      expect((await store.checkpoints()).map((c) => c.signature)).toEqual(['c2ln', 'c2ln']);
    });
  });
}
