// The score-based trust algorithm (NIST SP 800-207 §3.3.1): run every criterion, sum the weights
// of those that apply (capped at 100), and map the score to a level.
import type { RiskAssessment, RiskFactor, RiskLevel, Sensitivity } from '../decision.js';
import { RISK_FACTORS } from '../reasons.js';
import type { EngineSettings } from '../settings.js';
import type { SignalSnapshot } from '../signals.js';
import type { AccessRequest } from '../tuple.js';
import { authnMissing } from './authn-missing.js';
import { authnNotPhishingResistant } from './authn-not-phishing-resistant.js';
import { authnSingleFactor } from './authn-single-factor.js';
import { authnStale } from './authn-stale.js';
import { behaviourDenialBurst, behaviourImpossibleTravel, behaviourNewDevice, behaviourRequestRate, behaviourUnusualHour } from './behaviour-factor.js';
import type { RiskCriterion } from './criterion.js';
import { deviceNotCompliant, failedCheckFactors } from './device-not-compliant.js';
import { deviceNotOwnedBySubject } from './device-not-owned-by-subject.js';
import { devicePostureStale } from './device-posture-stale.js';
import { deviceQuarantined } from './device-quarantined.js';
import { deviceRevoked } from './device-revoked.js';
import { deviceUnknown } from './device-unknown.js';
import { deviceUnmanaged } from './device-unmanaged.js';
import { ipThreatListed } from './ip-threat-listed.js';
import { subjectDisabled } from './subject-disabled.js';
import { subjectRiskReported } from './subject-risk-reported.js';
import { subjectUnknown } from './subject-unknown.js';

/** Every criterion, in the order its factor is listed in decisions. */
export const RISK_CRITERIA: readonly RiskCriterion[] = [
  subjectUnknown,
  subjectDisabled,
  deviceUnknown,
  deviceRevoked,
  deviceQuarantined,
  deviceNotOwnedBySubject,
  deviceUnmanaged,
  deviceNotCompliant,
  devicePostureStale,
  authnMissing,
  authnSingleFactor,
  authnNotPhishingResistant,
  authnStale,
  ipThreatListed,
  subjectRiskReported,
  behaviourImpossibleTravel,
  behaviourDenialBurst,
  behaviourRequestRate,
  behaviourNewDevice,
  behaviourUnusualHour,
];

export function riskLevel(score: number, settings: EngineSettings): RiskLevel {
  const floors = settings.riskLevelFloors;
  if (score >= floors.critical) return 'critical';
  if (score >= floors.high) return 'high';
  if (score >= floors.medium) return 'medium';
  return 'low';
}

export function assessRisk(request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings): RiskAssessment {
  const factors: RiskFactor[] = [];
  for (const criterion of RISK_CRITERIA) {
    const factor = criterion(request, signals, settings);
    if (factor === undefined) continue;
    factors.push(factor);
    if (factor.name === RISK_FACTORS.deviceNotCompliant) factors.push(...failedCheckFactors(signals, settings));
  }
  const score = Math.min(100, factors.reduce((sum, factor) => sum + factor.weight, 0));
  const sensitivity: Sensitivity | undefined = settings.sensitivityOf(request.resource);
  const base = { score, level: riskLevel(score, settings), factors };
  return sensitivity === undefined ? base : { ...base, threshold: { sensitivity, maxScore: settings.maxRiskScore[sensitivity] } };
}
