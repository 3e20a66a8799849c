// One thing a subject did, as the baselines learn it: who, when, from which device and address,
// on which resource, and whether it was denied. Built from a live decision (the PDP hook) or from
// a stored decision-log record (the baseline build at start), so both feed the same code.
import type { AuditRecord } from '../../audit/record.js';
import { entityKey } from '../../engine/cedar/entity-key.js';
import type { Decision } from '../../engine/decision.js';
import type { AccessRequest } from '../../engine/tuple.js';

export interface BehaviourObservation {
  /** The subject in entity-key spelling, `User::"alice"`. */
  readonly subject: string;
  /** Milliseconds since the epoch (the decision's time). */
  readonly atMs: number;
  readonly deviceId?: string;
  readonly ip?: string;
  /** The resource in entity-key spelling. */
  readonly resource: string;
  readonly denied: boolean;
}

export function observationFromDecision(request: AccessRequest, decision: Decision): BehaviourObservation {
  return build(entityKey(request.subject), Date.parse(decision.decidedAt), request, entityKey(request.resource), decision.outcome === 'deny');
}

/** Undefined for a record whose body cannot be read (it is skipped, not fatal: baselines are advisory). */
export function observationFromRecord(record: AuditRecord): BehaviourObservation | undefined {
  let request: AccessRequest;
  try {
    request = (JSON.parse(record.body) as { request: AccessRequest }).request;
  } catch {
    return undefined;
  }
  const atMs = Date.parse(record.time);
  if (Number.isNaN(atMs) || typeof request !== 'object' || request === null) return undefined;
  return build(record.subject, atMs, request, record.resource, record.outcome === 'deny');
}

function build(subject: string, atMs: number, request: AccessRequest, resource: string, denied: boolean): BehaviourObservation {
  const deviceId = typeof request.deviceId === 'string' ? request.deviceId : undefined;
  const ip = typeof request.environment?.ip === 'string' ? request.environment.ip : undefined;
  return { subject, atMs, resource, denied, ...(deviceId === undefined ? {} : { deviceId }), ...(ip === undefined ? {} : { ip }) };
}
