// The record body: the full, redacted explanation of one decision (request tuple, outcome,
// reasons, risk, policies, policy version, latency, PEP, caller), stored as canonical JSON.
import type { DecisionLogEntry } from './entry.js';
import { AUDIT_BODY_VERSION, type AuditBody, type AuditRecord } from './record.js';
import { redactRequest } from './redact.js';
import { TenetError } from '../errors.js';

export function buildAuditBody(entry: DecisionLogEntry): AuditBody {
  const { id, ...decision } = entry.decision;
  const body: AuditBody = {
    v: AUDIT_BODY_VERSION,
    decisionId: id,
    pep: entry.pep,
    request: redactRequest(entry.request),
    decision,
  };
  return entry.caller === undefined ? body : { ...body, caller: entry.caller };
}

/** Reads a stored body back. The store hands back what was written, so a bad body means tampering or corruption. */
export function parseAuditBody(record: Pick<AuditRecord, 'seq' | 'body'>): AuditBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.body);
  } catch (cause) {
    throw new TenetError('TENET_ERR_AUDIT_CORRUPT', `record seq ${record.seq}: body is not JSON`, [], { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { v?: unknown }).v !== AUDIT_BODY_VERSION) {
    throw new TenetError('TENET_ERR_AUDIT_CORRUPT', `record seq ${record.seq}: body is not a version ${AUDIT_BODY_VERSION} audit body`);
  }
  return parsed as AuditBody;
}
