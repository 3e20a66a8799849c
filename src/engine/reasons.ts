// The catalogue of reason codes a decision can carry. Stable kebab-case strings: PEPs, SIEM rules
// and users' golden tests match on them, so never rename one; add new ones at the end of a group.
// Each code is documented in docs/reasons.md.

export const REASON_CODES = {
  // Cedar (criteria-based trust algorithm, NIST SP 800-207 §3.3.1)
  policyPermit: 'policy-permit',
  policyForbid: 'policy-forbid',
  policyError: 'policy-error',
  noApplicablePolicy: 'no-applicable-policy',
  // Score-based trust algorithm
  riskTooHigh: 'risk-too-high',
  riskFactor: 'risk-factor',
  // Step-up: the request would be allowed after stronger authentication
  stepUpRequired: 'step-up-required',
  // Signals that were missing or stale (an explicit reason, never an implicit allow)
  signalMissing: 'signal-missing',
  signalStale: 'signal-stale',
  // Fail closed
  evaluationError: 'evaluation-error',
  storeUnavailable: 'store-unavailable',
  auditUnavailable: 'audit-unavailable',
  invalidRequest: 'invalid-request',
} as const;

export type ReasonCode = (typeof REASON_CODES)[keyof typeof REASON_CODES];

/** Names of the score-based risk factors. Each one is also a reason `detail` and a Cedar context entry. */
export const RISK_FACTORS = {
  subjectUnknown: 'subject-unknown',
  subjectDisabled: 'subject-disabled',
  deviceUnknown: 'device-unknown',
  deviceNotOwnedBySubject: 'device-not-owned-by-subject',
  deviceUnmanaged: 'device-unmanaged',
  deviceNotCompliant: 'device-not-compliant',
  devicePostureStale: 'device-posture-stale',
  deviceQuarantined: 'device-quarantined',
  deviceRevoked: 'device-revoked',
  authnMissing: 'authn-missing',
  authnSingleFactor: 'authn-single-factor',
  authnNotPhishingResistant: 'authn-not-phishing-resistant',
  authnStale: 'authn-stale',
  ipThreatListed: 'ip-threat-listed',
  // Risk about the subject from outside the request (SignalSnapshot.subjectRisk): a transmitter's
  // reported risk level (CAEP risk-level-change) and behaviour analytics (src/signals/behaviour).
  subjectRiskReported: 'subject-risk-reported',
  behaviourNewDevice: 'behaviour-new-device',
  behaviourImpossibleTravel: 'behaviour-impossible-travel',
  behaviourUnusualHour: 'behaviour-unusual-hour',
  behaviourDenialBurst: 'behaviour-denial-burst',
  behaviourRequestRate: 'behaviour-request-rate',
} as const;

export type RiskFactorName = (typeof RISK_FACTORS)[keyof typeof RISK_FACTORS];

/**
 * One failed posture check as its own entry in `decision.risk.factors`: `device-not-compliant:<check>`
 * (e.g. `device-not-compliant:firewall`, `device-not-compliant:source-verdict:jamf`).
 *
 * Why this shape: non-compliance is one risk, weighed once by the configured
 * `device-not-compliant` weight, however many checks failed. So the weighted factor
 * `device-not-compliant` stays in the RiskFactorName union (and in `risk.weights`, which names only
 * those), and each failed check follows it as an entry of weight 0 whose explanation is the
 * check's reason. Policies and SIEM rules that match `device-not-compliant` keep working, and the
 * prefix says which weight the entry is part of. Check names come from config (custom checks), so
 * these names are open-ended and never weighted on their own.
 */
export type PostureCheckFactorName = `${typeof RISK_FACTORS.deviceNotCompliant}:${string}`;

export function postureCheckFactorName(check: string): PostureCheckFactorName {
  return `${RISK_FACTORS.deviceNotCompliant}:${check}`;
}

export function isPostureCheckFactorName(name: string): name is PostureCheckFactorName {
  return name.startsWith(`${RISK_FACTORS.deviceNotCompliant}:`);
}
