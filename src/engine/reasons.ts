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
} as const;

export type RiskFactorName = (typeof RISK_FACTORS)[keyof typeof RISK_FACTORS];
