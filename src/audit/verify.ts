// Verifies a decision log end to end and names the FIRST bad record. Streams the records (one
// page in memory), so it runs on logs of any size; checkpoints are few (one per N records) and
// are loaded up front.
//
// What it detects: any edit of any stored field (hash-mismatch), a deleted record (seq-gap), an
// inserted or moved record (hash-mismatch/broken-link, or seq-out-of-order from an unordered
// source), a rewrite of history that recomputes every later hash (checkpoint-mismatch), a forged
// or altered checkpoint (checkpoint-signature-invalid), and removal of records at or before the
// newest checkpoint (truncated).
//
// What a hash chain with checkpoints CANNOT detect, by construction:
//  - removal of records after the newest checkpoint (the "unanchored tail" reported below): SHA-256
//    needs no key, so a shorter chain is still a valid chain. Frequent checkpoints and shipping
//    records to a SIEM as they happen shrink that window;
//  - forged records appended after the newest checkpoint, for the same reason;
//  - an attacker who holds the signing key: they can rewrite everything and re-sign. Keep the key
//    out of the database (config `audit.signingKey` from a secret store) and give verifiers the
//    public key out of band.
import type { KeyObject } from 'node:crypto';
import type { AuditStore } from '../store/ports.js';
import type { AuditCheckpoint, AuditRecord } from './record.js';
import { GENESIS_HASH, computeRecordHash } from './chain.js';
import { verifyCheckpointSignature } from './checkpoint.js';
import { scanRecords, type ScanOptions } from './scan.js';

export type VerifyProblem =
  | 'hash-mismatch'
  | 'broken-link'
  | 'seq-gap'
  | 'seq-out-of-order'
  | 'checkpoint-signature-invalid'
  | 'checkpoint-mismatch'
  | 'truncated';

export interface VerifyFailure {
  readonly problem: VerifyProblem;
  /** The first seq that is wrong (for seq-gap and truncated: the first missing seq). */
  readonly seq: number;
  /** The decision of the bad record, when there is a record to name. */
  readonly decisionId?: string;
  readonly message: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Records that passed every check. */
  readonly records: number;
  /** Seq and hash of the last good record (0 and the genesis hash when none). */
  readonly lastSeq: number;
  readonly lastHash: string;
  /** Checkpoints whose signature and hash were verified. */
  readonly checkpoints: number;
  /** Newest verified checkpoint seq, 0 when none. */
  readonly lastCheckpointSeq: number;
  /** Good records after the newest verified checkpoint: protected by the chain alone (see above). */
  readonly unanchored: number;
  readonly failure?: VerifyFailure;
}

/** Verifies a stored log. Checkpoints are read before records, so a concurrent writer cannot cause a false `truncated`. */
export async function verifyAuditLog(store: AuditStore, publicKeys: readonly KeyObject[], options: Pick<ScanOptions, 'pageSize'> = {}): Promise<VerifyResult> {
  const checkpoints = await store.checkpoints();
  return verifyRecords(scanRecords(store, options), checkpoints, publicKeys);
}

/** Verifies records from any source (a store scan, a JSON-lines export) that should start at seq 1. */
export async function verifyRecords(
  records: AsyncIterable<AuditRecord> | Iterable<AuditRecord>,
  checkpoints: readonly AuditCheckpoint[],
  publicKeys: readonly KeyObject[],
): Promise<VerifyResult> {
  const pending = [...checkpoints].sort((a, b) => a.seq - b.seq);
  let next = 0;
  let good = 0;
  let head = { seq: 0, hash: GENESIS_HASH };
  let verifiedCheckpoints = 0;
  let lastCheckpointSeq = 0;

  const result = (failure?: VerifyFailure): VerifyResult => {
    const base = {
      ok: failure === undefined,
      records: good,
      lastSeq: head.seq,
      lastHash: head.hash,
      checkpoints: verifiedCheckpoints,
      lastCheckpointSeq,
      unanchored: head.seq - lastCheckpointSeq,
    };
    return failure === undefined ? base : { ...base, failure };
  };

  const checkCheckpoint = (checkpoint: AuditCheckpoint, record: AuditRecord | undefined): VerifyFailure | undefined => {
    if (!verifyCheckpointSignature(checkpoint, publicKeys)) {
      return { problem: 'checkpoint-signature-invalid', seq: checkpoint.seq, message: `checkpoint at seq ${checkpoint.seq} (key ${checkpoint.keyId}) has no valid signature from a trusted key` };
    }
    if (record === undefined || record.seq !== checkpoint.seq || record.hash !== checkpoint.hash) {
      return {
        problem: 'checkpoint-mismatch',
        seq: checkpoint.seq,
        ...(record === undefined ? {} : { decisionId: record.decisionId }),
        message: `signed checkpoint at seq ${checkpoint.seq} does not match the record there: the log was rewritten`,
      };
    }
    return undefined;
  };

  for await (const record of records) {
    const expected = head.seq + 1;
    if (record.seq < expected) {
      return result({ problem: 'seq-out-of-order', seq: record.seq, decisionId: record.decisionId, message: `record seq ${record.seq} appears after seq ${head.seq}` });
    }
    if (record.seq > expected) {
      const missing = record.seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected}..${record.seq - 1} are`;
      return result({ problem: 'seq-gap', seq: expected, message: `${missing} missing (next present record is seq ${record.seq})` });
    }
    if (computeRecordHash(record.prevHash, record) !== record.hash) {
      return result({ problem: 'hash-mismatch', seq: record.seq, decisionId: record.decisionId, message: `record seq ${record.seq} does not hash to its stored hash: its content was changed` });
    }
    if (record.prevHash !== head.hash) {
      return result({ problem: 'broken-link', seq: record.seq, decisionId: record.decisionId, message: `record seq ${record.seq} does not link to record seq ${head.seq}` });
    }
    // A checkpoint below the current seq was never matched (seq < 1 or not an integer): it cannot be right.
    for (let checkpoint = pending[next]; checkpoint !== undefined && checkpoint.seq <= record.seq; checkpoint = pending[++next]) {
      const failure = checkCheckpoint(checkpoint, checkpoint.seq === record.seq ? record : undefined);
      if (failure !== undefined) return result(failure);
      verifiedCheckpoints += 1;
      lastCheckpointSeq = checkpoint.seq;
    }
    head = { seq: record.seq, hash: record.hash };
    good += 1;
  }

  // Checkpoints beyond the end: a genuine one proves records were removed; a forged one is reported as such.
  for (const checkpoint of pending.slice(next)) {
    if (!verifyCheckpointSignature(checkpoint, publicKeys)) return result(checkCheckpoint(checkpoint, undefined));
  }
  const beyond = pending[next];
  if (beyond !== undefined) {
    return result({
      problem: 'truncated',
      seq: head.seq + 1,
      message: `the log ends at seq ${head.seq} but a signed checkpoint covers seq ${beyond.seq}: records were removed from the end`,
    });
  }
  return result();
}
