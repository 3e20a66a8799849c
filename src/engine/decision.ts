// The engine's answer. A decision is data, not an exception: deny (including every failure) is a
// normal value that carries its reasons.
import type { PostureCheckFactorName, ReasonCode, RiskFactorName } from './reasons.js';

export type Outcome = 'allow' | 'deny' | 'step-up';

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

export type Sensitivity = 'low' | 'medium' | 'high' | 'critical';

export interface Reason {
  readonly code: ReasonCode;
  /** Which way this reason pushes: towards allowing or denying. Reasons for both sides are kept. */
  readonly effect: 'allow' | 'deny';
  /** Human-readable explanation, safe to show to the end user (no secrets, no policy text). */
  readonly message: string;
  /** The Cedar policy id, for policy-* reasons. */
  readonly policyId?: string;
  /** The risk factor or signal name, for risk-* and signal-* reasons. */
  readonly detail?: string;
}

export interface RiskFactor {
  /** A weighted factor, or one failed posture check under `device-not-compliant` (weight 0; see PostureCheckFactorName). */
  readonly name: RiskFactorName | PostureCheckFactorName;
  /** Points added to the score (configurable per factor; 0 for a posture check entry). */
  readonly weight: number;
  /** Why the factor applies, e.g. "posture observed 3h ago; limit is 1h". */
  readonly explanation: string;
}

export interface RiskAssessment {
  /** 0..100, the capped sum of factor weights. */
  readonly score: number;
  readonly level: RiskLevel;
  readonly factors: readonly RiskFactor[];
  /** The resource's sensitivity and the threshold applied, when the resource has a configured sensitivity. */
  readonly threshold?: { readonly sensitivity: Sensitivity; readonly maxScore: number };
}

export interface StepUp {
  /** What stronger authentication would change the outcome. */
  readonly phishingResistant: boolean;
  /** Authentication must be at most this old (seconds) for the request to be allowed. */
  readonly maxAgeSeconds: number;
}

export interface Obligations {
  /** How long a PEP may reuse this decision for an identical request. 0 = do not cache. */
  readonly cacheTtlSeconds: number;
  /** When a long-lived session/connection must be re-evaluated. */
  readonly reevaluateAfterSeconds: number;
  readonly stepUp?: StepUp;
}

export interface PolicyDiagnostics {
  /** Policies that determined the outcome (permits for allow, forbids for deny). */
  readonly determining: readonly string[];
  /** Policies whose condition raised an error (skipped, per Cedar semantics). */
  readonly errored: readonly { readonly policyId: string; readonly message: string }[];
  /** How many policies the scope slice selected, out of the whole set. */
  readonly evaluated: number;
  readonly total: number;
}

export interface Decision {
  /** Unique id (UUID v4); PEPs show it on deny pages so support can find the log record. */
  readonly id: string;
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  readonly risk: RiskAssessment;
  readonly policies: PolicyDiagnostics;
  readonly obligations: Obligations;
  /** Content hash of the active policy set (and schema); changes on every reload that changes them. */
  readonly policyVersion: string;
  /** ISO 8601 time the decision was made. */
  readonly decidedAt: string;
  /** Wall time spent deciding, in microseconds. */
  readonly latencyMicros: number;
  /** Names of the signals consulted (e.g. `device:laptop-7`, `threat-intel`, `entity:User::"alice"`), for later invalidation. */
  readonly signalsUsed: readonly string[];
}
