// DecisionLogEntry → the content of an audit record (everything but its chain position). Pure:
// the writer (decision-log.ts) assigns seq and hashes (chain.ts) under its single-writer lock.
import type { DecisionLogEntry } from './entry.js';
import type { EntityRef } from '../engine/tuple.js';
import type { AuditRecord } from './record.js';
import { buildAuditBody } from './body.js';
import { canonicalJson } from './canonical.js';

/** A record before it is placed in the chain. */
export type RecordFields = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

/** Cedar's textual entity reference, `Type::"id"`, with the id JSON-escaped as Cedar does. */
export function entityKey(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}

/**
 * The record's `time` column: `decidedAt` in `toISOString()` form so text comparison in the
 * store is time order. An unparseable `decidedAt` (an engine bug) falls back to the writer's
 * clock instead of losing the record; the body keeps the original string.
 */
export function recordTime(decidedAt: string, fallback: Date): string {
  const ms = Date.parse(decidedAt);
  return new Date(Number.isNaN(ms) ? fallback.getTime() : ms).toISOString();
}

export function buildRecordFields(entry: DecisionLogEntry, now: Date): RecordFields {
  const { request, decision } = entry;
  const fields: RecordFields = {
    decisionId: decision.id,
    time: recordTime(decision.decidedAt, now),
    pep: entry.pep,
    subject: entityKey(request.subject),
    action: request.action.name,
    resource: entityKey(request.resource),
    outcome: decision.outcome,
    body: canonicalJson(buildAuditBody(entry)),
  };
  return entry.caller === undefined ? fields : { ...fields, caller: entry.caller };
}
