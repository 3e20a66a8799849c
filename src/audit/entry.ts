// What a PEP/PDP hands to the decision log for each decision. The audit module turns it into a
// hash-chained record (src/audit/record.ts); this type is the boundary the rest of Tenet sees.
import type { Decision } from '../engine/decision.js';
import type { AccessRequest } from '../engine/tuple.js';

export interface DecisionLogEntry {
  readonly request: AccessRequest;
  readonly decision: Decision;
  /** Which enforcement point or interface asked: `authzen`, `cli`, `proxy`, `forward-auth`, `ext-authz`. */
  readonly pep: string;
  /** The authenticated API caller (token name or mTLS subject), when there is one. Never a secret. */
  readonly caller?: string;
}

/** The writer side of the decision log, as the PDP sees it. */
export interface DecisionLog {
  /**
   * Resolves once the entry is durable (committed to the store). Rejects with a TenetError
   * `TENET_ERR_AUDIT_*` when it cannot be written or the queue is full; the caller then applies
   * the `audit.failMode` setting (default: deny).
   */
  record(entry: DecisionLogEntry): Promise<void>;
  /** Flush pending records and stop accepting new ones. */
  close(): Promise<void>;
}
