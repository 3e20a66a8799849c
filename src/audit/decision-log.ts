// The decision-log writer (NIST SP 800-207 §3 "activity logs"): turns each DecisionLogEntry into a
// hash-chained record and resolves `record()` only once that record is committed.
//
// Why it is shaped like this:
//  - Group commit. A durable commit costs an fsync; entries that arrive together share one
//    transaction. The first entry of a batch waits until the current event-loop turn ends
//    (`setImmediate`, or `batchWindowMs` if set); entries arriving while a batch commits form the
//    next batch. Batches are capped at `maxBatch` records.
//  - Single writer. Only this class assigns seq and prevHash, and only one batch is in flight, so
//    the chain has no forks. INVARIANT: `head` only advances after `store.append` resolved.
//  - Explicit backpressure. The waiting queue is bounded (`maxQueue`); when it is full `record()`
//    rejects at once with TENET_ERR_AUDIT_BACKPRESSURE. Nothing is ever dropped silently.
//  - A store failure rejects the failed batch and everything queued behind it with
//    TENET_ERR_AUDIT_UNAVAILABLE (the PDP then applies `audit.failMode`); the head is re-read from
//    the store before the next batch, so the chain resumes exactly where the store says it ends.
import type { AuditStore } from '../store/ports.js';
import type { DecisionLog, DecisionLogEntry } from './entry.js';
import type { AuditRecord } from './record.js';
import type { AuditSigningKey } from './signing-key.js';
import { buildRecordFields } from './build.js';
import { headOf, sealRecord, type ChainHead } from './chain.js';
import { signCheckpoint } from './checkpoint.js';
import { TenetError, isTenetError } from '../errors.js';

export const AUDIT_LOG_DEFAULTS = {
  maxQueue: 10_000,
  maxBatch: 256,
  batchWindowMs: 0,
  checkpointEvery: 1000,
  checkpointIntervalMs: 60_000,
} as const;

export interface AuditLogOptions {
  readonly store: AuditStore;
  /** Signs checkpoints. Without it the log is an unsigned hash chain (verification then cannot detect wholesale rewrites). */
  readonly signingKey?: AuditSigningKey;
  /** Sign a checkpoint at every seq that is a multiple of this (and on close). Default 1000. */
  readonly checkpointEvery?: number;
  /**
   * Also sign one this often (ms) when records arrived since the last, so a quiet server's newest
   * records do not stay unanchored until the next multiple of checkpointEvery. Default 60,000; 0 = off.
   */
  readonly checkpointIntervalMs?: number;
  /** Entries that may wait for a batch; beyond it `record()` rejects. The batch being committed is not counted. Default 10,000. */
  readonly maxQueue?: number;
  /** Most records per transaction. Default 256. */
  readonly maxBatch?: number;
  /** Extra time the first entry of a batch waits for company, in ms. Default 0 (end of the current event-loop turn). */
  readonly batchWindowMs?: number;
  readonly clock?: () => Date;
  /** Told about store and checkpoint failures (for the server log); never about individual rejections. */
  readonly onError?: (error: TenetError) => void;
}

/** Monotonic counters for metrics (`tenet_audit_*`), plus two gauges (`queued`, `lastSeq`). */
export interface AuditLogCounters {
  readonly recorded: number;
  /** Every rejected `record()` call, whatever the reason; the three below break it down. */
  readonly rejected: number;
  readonly rejectedBackpressure: number;
  readonly rejectedUnavailable: number;
  readonly rejectedInvalid: number;
  readonly batches: number;
  readonly failedBatches: number;
  readonly checkpoints: number;
  readonly checkpointFailures: number;
  readonly queued: number;
  readonly lastSeq: number;
}

interface Pending {
  readonly entry: DecisionLogEntry;
  readonly resolve: () => void;
  readonly reject: (error: TenetError) => void;
}

type MutableCounters = { -readonly [K in keyof AuditLogCounters]: AuditLogCounters[K] };

export class AuditLog implements DecisionLog {
  /**
   * Opens the writer on `store`, resuming after its last record. Throws TENET_ERR_AUDIT_UNAVAILABLE
   * if the store cannot be read and TENET_ERR_AUDIT_TRUNCATED if a checkpoint lies beyond the last
   * record: appending would paper over the missing records, so an operator must look first.
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    let last: AuditRecord | undefined;
    let lastCheckpointSeq = 0;
    try {
      last = await options.store.last();
      for (const checkpoint of await options.store.checkpoints()) lastCheckpointSeq = Math.max(lastCheckpointSeq, checkpoint.seq);
    } catch (cause) {
      throw new TenetError('TENET_ERR_AUDIT_UNAVAILABLE', 'decision log store cannot be read', [], { cause });
    }
    const head = headOf(last);
    if (lastCheckpointSeq > head.seq) {
      throw new TenetError('TENET_ERR_AUDIT_TRUNCATED', `decision log ends at seq ${head.seq} but a signed checkpoint covers seq ${lastCheckpointSeq}: records were removed`, [
        { path: 'audit', message: 'the log was truncated after a checkpoint', hint: 'run `tenet audit verify`, restore the log from backup' },
      ]);
    }
    return new AuditLog(options, head, lastCheckpointSeq);
  }

  private readonly store: AuditStore;
  private readonly signingKey: AuditSigningKey | undefined;
  private readonly checkpointEvery: number;
  /** Highest seq a checkpoint was signed (or is being signed) for. */
  private signedUpTo = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly batchWindowMs: number;
  private readonly clock: () => Date;
  private readonly onError: (error: TenetError) => void;

  private head: ChainHead;
  private lastCheckpointSeq: number;
  /** Set after a failed append: the store may or may not hold the batch, so re-read before writing. */
  private headStale = false;
  private readonly queue: Pending[] = [];
  private scheduled = false;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private closing: Promise<void> | undefined;
  private readonly count: MutableCounters = {
    recorded: 0,
    rejected: 0,
    rejectedBackpressure: 0,
    rejectedUnavailable: 0,
    rejectedInvalid: 0,
    batches: 0,
    failedBatches: 0,
    checkpoints: 0,
    checkpointFailures: 0,
    queued: 0,
    lastSeq: 0,
  };

  private constructor(options: AuditLogOptions, head: ChainHead, lastCheckpointSeq: number) {
    this.store = options.store;
    this.signingKey = options.signingKey;
    this.checkpointEvery = positiveInteger(options.checkpointEvery ?? AUDIT_LOG_DEFAULTS.checkpointEvery, 'audit.checkpointEvery');
    this.maxQueue = positiveInteger(options.maxQueue ?? AUDIT_LOG_DEFAULTS.maxQueue, 'audit.maxQueue');
    this.maxBatch = positiveInteger(options.maxBatch ?? AUDIT_LOG_DEFAULTS.maxBatch, 'audit.maxBatch');
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? AUDIT_LOG_DEFAULTS.batchWindowMs);
    this.clock = options.clock ?? (() => new Date());
    this.onError = options.onError ?? (() => undefined);
    this.head = head;
    this.lastCheckpointSeq = lastCheckpointSeq;
    this.signedUpTo = lastCheckpointSeq;
    const interval = options.checkpointIntervalMs ?? AUDIT_LOG_DEFAULTS.checkpointIntervalMs;
    if (interval > 0) {
      this.checkpointTimer = setInterval(() => void this.checkpointIfBehind(), interval);
      this.checkpointTimer.unref();
    }
  }

  record(entry: DecisionLogEntry): Promise<void> {
    if (this.closing !== undefined) {
      return this.refuse('rejectedUnavailable', new TenetError('TENET_ERR_AUDIT_CLOSED', 'decision log is closed'));
    }
    if (this.queue.length >= this.maxQueue) {
      return this.refuse(
        'rejectedBackpressure',
        new TenetError('TENET_ERR_AUDIT_BACKPRESSURE', `decision log queue is full (${this.maxQueue} entries waiting)`, [
          { path: 'audit.maxQueue', message: 'the store is not keeping up with the decision rate', hint: 'check store latency or raise audit.maxQueue' },
        ]),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.schedule();
    });
  }

  /** The end of the chain as committed so far. */
  get chainHead(): ChainHead {
    return this.head;
  }

  counters(): AuditLogCounters {
    return { ...this.count, queued: this.queue.length, lastSeq: this.head.seq };
  }

  /** Waits for queued entries to commit, signs a final checkpoint, then refuses new entries. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (this.checkpointTimer !== undefined) clearInterval(this.checkpointTimer);
    await this.idle();
    await this.checkpointIfBehind();
  }

  /** Signs the committed head unless a checkpoint already covers it (or is being signed for it). */
  private async checkpointIfBehind(): Promise<void> {
    if (this.headStale || this.head.seq <= this.signedUpTo) return;
    await this.checkpoint(this.head);
  }

  private refuse(kind: 'rejectedBackpressure' | 'rejectedUnavailable' | 'rejectedInvalid', error: TenetError): Promise<void> {
    this.count.rejected += 1;
    this.count[kind] += 1;
    return Promise.reject(error);
  }

  private idle(): Promise<void> {
    if (!this.scheduled && !this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      void this.drain();
    };
    if (this.batchWindowMs > 0) setTimeout(run, this.batchWindowMs);
    else setImmediate(run);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        if (this.headStale && !(await this.resync())) continue;
        await this.commit(this.queue.splice(0, this.maxBatch));
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Re-reads the head after a failure; on failure rejects everything queued. */
  private async resync(): Promise<boolean> {
    try {
      this.head = headOf(await this.store.last());
      this.headStale = false;
      return true;
    } catch (cause) {
      this.failPending([], cause);
      return false;
    }
  }

  private async commit(batch: readonly Pending[]): Promise<void> {
    const now = this.clock();
    const records: AuditRecord[] = [];
    const accepted: Pending[] = [];
    let head = this.head;
    for (const pending of batch) {
      try {
        const record = sealRecord(head, buildRecordFields(pending.entry, now));
        records.push(record);
        accepted.push(pending);
        head = record;
      } catch (cause) {
        // One unserialisable entry must not take its batch-mates down with it.
        this.count.rejected += 1;
        this.count.rejectedInvalid += 1;
        pending.reject(isTenetError(cause) ? cause : new TenetError('TENET_ERR_AUDIT_INVALID_ENTRY', 'decision log entry cannot be recorded', [], { cause }));
      }
    }
    if (records.length === 0) return;

    try {
      await this.store.append(records);
    } catch (cause) {
      this.headStale = true;
      this.count.failedBatches += 1;
      this.failPending(accepted, cause);
      return;
    }

    this.head = { seq: head.seq, hash: head.hash };
    this.count.recorded += records.length;
    this.count.batches += 1;
    for (const pending of accepted) pending.resolve();

    for (const record of records) {
      if (record.seq % this.checkpointEvery === 0) await this.checkpoint(record);
    }
  }

  /** Rejects `batch` and everything still queued: the store just failed, so they would too. */
  private failPending(batch: readonly Pending[], cause: unknown): void {
    const error = new TenetError('TENET_ERR_AUDIT_UNAVAILABLE', 'decision log store failed; the decision was not recorded', [], { cause });
    const doomed = [...batch, ...this.queue.splice(0)];
    this.count.rejected += doomed.length;
    this.count.rejectedUnavailable += doomed.length;
    for (const pending of doomed) pending.reject(error);
    this.onError(error);
  }

  private async checkpoint(at: ChainHead): Promise<void> {
    if (this.signingKey === undefined || at.seq <= this.signedUpTo) return;
    // Claimed before the await so the timer, a batch and close() never sign the same seq twice.
    this.signedUpTo = at.seq;
    try {
      await this.store.addCheckpoint(signCheckpoint(this.signingKey, at, this.clock()));
      this.lastCheckpointSeq = Math.max(this.lastCheckpointSeq, at.seq);
      this.count.checkpoints += 1;
    } catch (cause) {
      // The records are already durable; a missing checkpoint only widens the unanchored tail
      // until the next one, so it is reported rather than failing anyone's decision.
      this.count.checkpointFailures += 1;
      this.signedUpTo = this.lastCheckpointSeq;
      this.onError(new TenetError('TENET_ERR_AUDIT_CHECKPOINT_FAILED', `could not store the checkpoint at seq ${at.seq}`, [], { cause }));
    }
  }
}

function positiveInteger(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TenetError('TENET_ERR_CONFIG_INVALID', `${path} must be a positive integer, got ${value}`, [{ path, message: 'must be a positive integer' }]);
  }
  return value;
}
