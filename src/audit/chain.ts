// The hash chain: record n commits to record n-1, so editing, deleting, inserting or reordering
// any record changes every later hash (tamper evidence, not tamper prevention — see docs/audit.md).
//
//   content(r) = RFC 8785 canonical JSON of r without `prevHash` and `hash`
//   hash(r)    = hex SHA-256( prevHash as 64 ASCII hex chars || UTF-8 content(r) )
//
// `seq` is inside the content, so a record moved to another position no longer hashes.
import { createHash } from 'node:crypto';
import type { AuditRecord } from './record.js';
import type { RecordFields } from './build.js';
import { canonicalJson } from './canonical.js';

/** prevHash of record 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** The end of the chain: what the next record links to. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function headOf(record: AuditRecord | undefined): ChainHead {
  return record === undefined ? EMPTY_HEAD : { seq: record.seq, hash: record.hash };
}

/** The canonical content a record's hash covers. */
export function recordContent(record: RecordFields & { readonly seq: number }): string {
  const content: Record<string, unknown> = {
    seq: record.seq,
    decisionId: record.decisionId,
    time: record.time,
    pep: record.pep,
    subject: record.subject,
    action: record.action,
    resource: record.resource,
    outcome: record.outcome,
    body: record.body,
  };
  if (record.caller !== undefined) content.caller = record.caller;
  return canonicalJson(content);
}

export function computeRecordHash(prevHash: string, record: RecordFields & { readonly seq: number }): string {
  return createHash('sha256').update(prevHash, 'utf8').update(recordContent(record), 'utf8').digest('hex');
}

/** Places `fields` right after `head`. */
export function sealRecord(head: ChainHead, fields: RecordFields): AuditRecord {
  const seq = head.seq + 1;
  const placed = { ...fields, seq };
  return { ...placed, prevHash: head.hash, hash: computeRecordHash(head.hash, placed) };
}
