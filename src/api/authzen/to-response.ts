// Tenet Decision → AuthZEN Decision (§5.5). `decision` is true only for `allow`: a step-up is a
// deny until the subject re-authenticates (the PEP reads `context.outcome` and `context.step_up`).
// The context is deliberately chosen: callers are the operator's own authenticated PEPs, so reason
// codes, policy ids, risk factors and obligations are included; policy text and Cedar evaluation
// error messages (which can quote policy conditions) are not.
import type { Decision, Reason } from '../../engine/decision.js';

export interface AuthzenReason {
  readonly code: string;
  readonly effect: 'allow' | 'deny';
  readonly message: string;
  readonly policy_id?: string;
  readonly detail?: string;
}

export interface AuthzenDecisionContext {
  /** Tenet's decision id: the key of the decision-log record. */
  readonly id: string;
  readonly outcome: Decision['outcome'];
  /** §5.5.2 Example 1 style: end-user-safe text, keyed by language. */
  readonly reason_user: { readonly en: string };
  readonly reasons: readonly AuthzenReason[];
  readonly policies: { readonly determining: readonly string[]; readonly errored: readonly string[] };
  readonly risk: {
    readonly score: number;
    readonly level: Decision['risk']['level'];
    readonly factors: readonly { readonly name: string; readonly weight: number; readonly explanation: string }[];
  };
  readonly obligations: { readonly cache_ttl_seconds: number; readonly reevaluate_after_seconds: number };
  readonly step_up?: { readonly phishing_resistant: boolean; readonly max_age_seconds: number };
  readonly policy_version: string;
  readonly decided_at: string;
}

export interface AuthzenDecision {
  readonly decision: boolean;
  readonly context: AuthzenDecisionContext;
}

function reason(input: Reason): AuthzenReason {
  return {
    code: input.code,
    effect: input.effect,
    message: input.message,
    ...(input.policyId === undefined ? {} : { policy_id: input.policyId }),
    ...(input.detail === undefined ? {} : { detail: input.detail }),
  };
}

/** The user-facing sentence: the reasons that pushed towards the outcome actually reached. */
function userReason(decision: Decision): string {
  const side = decision.outcome === 'allow' ? 'allow' : 'deny';
  const messages = [...new Set(decision.reasons.filter((item) => item.effect === side).map((item) => item.message))];
  if (messages.length > 0) return messages.join('; ');
  return decision.outcome === 'allow' ? 'Access allowed.' : 'Access denied.';
}

export function toAuthzenDecision(decision: Decision): AuthzenDecision {
  const stepUp = decision.outcome === 'step-up' ? decision.obligations.stepUp : undefined;
  return {
    decision: decision.outcome === 'allow',
    context: {
      id: decision.id,
      outcome: decision.outcome,
      reason_user: { en: userReason(decision) },
      reasons: decision.reasons.map(reason),
      policies: {
        determining: decision.policies.determining,
        errored: decision.policies.errored.map((item) => item.policyId),
      },
      risk: {
        score: decision.risk.score,
        level: decision.risk.level,
        factors: decision.risk.factors.map((factor) => ({ name: factor.name, weight: factor.weight, explanation: factor.explanation })),
      },
      obligations: {
        cache_ttl_seconds: decision.obligations.cacheTtlSeconds,
        reevaluate_after_seconds: decision.obligations.reevaluateAfterSeconds,
      },
      ...(stepUp === undefined
        ? {}
        : { step_up: { phishing_resistant: stepUp.phishingResistant, max_age_seconds: stepUp.maxAgeSeconds } }),
      policy_version: decision.policyVersion,
      decided_at: decision.decidedAt,
    },
  };
}
