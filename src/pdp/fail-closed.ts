// Decisions the PDP makes without the engine: when a request cannot even be evaluated, or when the
// decision log refuses the record and audit.failMode is `closed`. Both are denies with a reason
// (NIST SP 800-207 §2.1: access is granted only on a positive decision).
import { randomUUID } from 'node:crypto';
import type { Decision } from '../engine/decision.js';
import type { ReasonCode } from '../engine/reasons.js';

const NO_RISK = { score: 0, level: 'low', factors: [] } as const;
const NO_POLICIES = { determining: [], errored: [], evaluated: 0, total: 0 } as const;
const DO_NOT_CACHE = { cacheTtlSeconds: 0, reevaluateAfterSeconds: 0 } as const;

export function denyBecause(code: ReasonCode, message: string, policyVersion: string, now: Date): Decision {
  return {
    id: randomUUID(),
    outcome: 'deny',
    reasons: [{ code, effect: 'deny', message }],
    risk: NO_RISK,
    policies: NO_POLICIES,
    obligations: DO_NOT_CACHE,
    policyVersion,
    decidedAt: now.toISOString(),
    latencyMicros: 0,
    signalsUsed: [],
  };
}

/** The engine's decision, turned into a deny because it could not be recorded. */
export function withAuditFailure(decision: Decision): Decision {
  return {
    ...decision,
    outcome: 'deny',
    reasons: [...decision.reasons, { code: 'audit-unavailable', effect: 'deny', message: 'the decision could not be recorded, so it is denied (audit.failMode: closed)' }],
    obligations: DO_NOT_CACHE,
  };
}
