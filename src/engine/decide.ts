// decide(): the Policy Engine's single entry point (NIST SP 800-207 §3.1). It never throws: any
// failure becomes a deny that says so (fail closed, §2.1 tenet 6 / house rule "deny by default").
import { randomUUID } from 'node:crypto';
import type { Decision, Outcome, Reason } from './decision.js';
import { obligationsFor } from './obligations.js';
import type { PolicySet } from './policy-set.js';
import { evaluationErrorReason, stepUpReason } from './reasons-for.js';
import type { EngineSettings } from './settings.js';
import type { SignalSnapshot } from './signals.js';
import { stepUpFor } from './step-up.js';
import { evaluateTrust } from './trust-algorithm.js';
import type { AccessRequest } from './tuple.js';

function microsSince(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1000n);
}

function isoTime(now: Date): string {
  return Number.isNaN(now.getTime()) ? new Date().toISOString() : now.toISOString();
}

function decideOrThrow(request: AccessRequest, signals: SignalSnapshot, policySet: PolicySet, settings: EngineSettings, started: bigint): Decision {
  const decidedAt = signals.now.toISOString();
  const actual = evaluateTrust(request, signals, policySet, settings);
  const stepUp = stepUpFor(request, signals, policySet, settings, actual);
  const outcome: Outcome = actual.allowed ? 'allow' : stepUp === undefined ? 'deny' : 'step-up';
  const reasons: Reason[] = stepUp === undefined ? [...actual.reasons] : [stepUpReason(stepUp.phishingResistant), ...actual.reasons];
  return {
    id: randomUUID(),
    outcome,
    reasons,
    risk: actual.risk,
    policies: actual.policies,
    obligations: obligationsFor(outcome, request, signals, settings, stepUp),
    policyVersion: policySet.version,
    decidedAt,
    latencyMicros: microsSince(started),
    signalsUsed: actual.signalsUsed,
  };
}

/** A deny that carries nothing but the fact of the failure: no partial result is trusted. */
function failClosed(signals: SignalSnapshot | undefined, policySet: PolicySet | undefined, settings: EngineSettings | undefined, started: bigint): Decision {
  return {
    id: randomUUID(),
    outcome: 'deny',
    reasons: [evaluationErrorReason()],
    // The risk could not be assessed, so it is taken as the worst (fail closed).
    risk: { score: 100, level: 'critical', factors: [] },
    policies: { determining: [], errored: [], evaluated: 0, total: policySet?.total ?? 0 },
    obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: settings?.obligations.reevaluateAfterSeconds ?? 0 },
    policyVersion: policySet?.version ?? '',
    decidedAt: isoTime(signals?.now instanceof Date ? signals.now : new Date()),
    latencyMicros: microsSince(started),
    signalsUsed: policySet === undefined ? [] : [`policy-set:${policySet.version}`],
  };
}

export function decide(request: AccessRequest, signals: SignalSnapshot, policySet: PolicySet, settings: EngineSettings): Decision {
  const started = process.hrtime.bigint();
  try {
    return decideOrThrow(request, signals, policySet, settings, started);
  } catch {
    return failClosed(signals as SignalSnapshot | undefined, policySet as PolicySet | undefined, settings as EngineSettings | undefined, started);
  }
}
