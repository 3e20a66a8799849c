// The stored form of a decision-log record and its checkpoints. OWNED BY THE AUDIT MODULE: the
// fields below are the minimum the store port needs; the audit implementation may add fields.

export interface AuditRecord {
  /** 1-based, gapless position in the chain. */
  readonly seq: number;
  readonly decisionId: string;
  /** ISO 8601 time of the decision. */
  readonly time: string;
  readonly pep: string;
  readonly caller?: string;
  readonly subject: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: 'allow' | 'deny' | 'step-up';
  /** Canonical JSON of the full record body (request tuple, reasons, risk, policy version, latency). */
  readonly body: string;
  /** Hex SHA-256 of the previous record (64 zeros for the first). */
  readonly prevHash: string;
  /** Hex SHA-256 over prevHash and the canonical record content. */
  readonly hash: string;
}

export interface AuditCheckpoint {
  /** The checkpoint covers records 1..seq. */
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  /** Base64 Ed25519 signature over the canonical checkpoint statement. */
  readonly signature: string;
  /** Key id (base64url SHA-256 of the public key, truncated) so a rotated key can be recognised. */
  readonly keyId: string;
}

export interface AuditQuery {
  readonly subject?: string;
  readonly resource?: string;
  readonly outcome?: 'allow' | 'deny' | 'step-up';
  /** ISO 8601 inclusive lower bound. */
  readonly from?: string;
  /** ISO 8601 exclusive upper bound. */
  readonly to?: string;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
  readonly limit: number;
}

export interface AuditPage {
  readonly records: AuditRecord[];
  readonly nextCursor?: string;
}
