// The stored form of a decision-log record and its checkpoints. OWNED BY THE AUDIT MODULE: the
// store ports (src/store/ports.ts) move these values; only src/audit decides what they contain.
// The format is documented in docs/audit.md; changing it needs a new `AUDIT_BODY_VERSION`.
import type { Decision } from '../engine/decision.js';
import type { AccessRequest } from '../engine/tuple.js';

export type AuditOutcome = 'allow' | 'deny' | 'step-up';

export interface AuditRecord {
  /** 1-based, gapless position in the chain. */
  readonly seq: number;
  readonly decisionId: string;
  /** ISO 8601 time of the decision, normalised to `Date#toISOString()` form so it sorts as text. */
  readonly time: string;
  readonly pep: string;
  readonly caller?: string;
  /** The subject as a Cedar entity reference: `User::"alice"`. */
  readonly subject: string;
  readonly action: string;
  /** The resource as a Cedar entity reference: `App::Route::"wiki"`. */
  readonly resource: string;
  readonly outcome: AuditOutcome;
  /** RFC 8785 canonical JSON of the full record body (an `AuditBody`). */
  readonly body: string;
  /** Hex SHA-256 of the previous record (64 zeros for the first). */
  readonly prevHash: string;
  /** Hex SHA-256 over prevHash and the canonical record content (src/audit/chain.ts). */
  readonly hash: string;
}

/** Version of the `AuditBody` layout; bumped when a field changes meaning. */
export const AUDIT_BODY_VERSION = 1;

/**
 * What `AuditRecord.body` holds: everything needed to explain the decision later, without
 * secrets. `request` is the tuple after redaction (src/audit/redact.ts).
 */
export interface AuditBody {
  readonly v: typeof AUDIT_BODY_VERSION;
  readonly decisionId: string;
  readonly pep: string;
  readonly caller?: string;
  readonly request: AccessRequest;
  readonly decision: Omit<Decision, 'id'>;
}

export interface AuditCheckpoint {
  /** The checkpoint covers records 1..seq. */
  readonly seq: number;
  /** The `hash` of record `seq`. */
  readonly hash: string;
  /** ISO 8601 time the checkpoint was signed. */
  readonly time: string;
  /** Base64 Ed25519 signature over the canonical statement `{hash, seq, time}` (RFC 8785). */
  readonly signature: string;
  /** First 16 chars of base64url(SHA-256(SPKI DER of the public key)), so a rotated key can be recognised. */
  readonly keyId: string;
}

/** Largest page a query returns, whatever `limit` asks for. */
export const AUDIT_QUERY_MAX_LIMIT = 1000;

/**
 * Filters are ANDed. Results come newest first (descending seq): the usual question is "what
 * happened lately for this user". Pagination is keyset on seq, so pages never overlap or skip
 * even while new records are appended.
 */
export interface AuditQuery {
  /** Exact Cedar reference, e.g. `User::"alice"`. */
  readonly subject?: string;
  /** Exact Cedar reference, e.g. `App::Route::"wiki"`. */
  readonly resource?: string;
  readonly outcome?: AuditOutcome;
  /** The decision id a PEP showed on a deny page. */
  readonly decisionId?: string;
  /** ISO 8601 inclusive lower bound. */
  readonly from?: string;
  /** ISO 8601 exclusive upper bound. */
  readonly to?: string;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
  /** 1..AUDIT_QUERY_MAX_LIMIT; larger values are capped. */
  readonly limit: number;
}

export interface AuditPage {
  readonly records: AuditRecord[];
  /** Present when more records match; pass it back as `cursor`. */
  readonly nextCursor?: string;
}
