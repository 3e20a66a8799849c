// Risk factor `subject-risk-reported`: another system (a Shared Signals transmitter's CAEP
// risk-level-change, CAEP 1.0 §3.8) says the subject is at risk. The weight is scaled by the
// level: high = the full weight, medium = half (rounded), low = not listed at all, because a
// transmitter that lowers a subject's risk to "low" is clearing it, and a policy matching the
// factor name must not keep denying a cleared subject. Several sources: the highest level counts.
import { RISK_FACTORS } from '../reasons.js';
import type { RiskCriterion } from './criterion.js';

export const subjectRiskReported: RiskCriterion = (_request, signals, settings) => {
  const reported = (signals.subjectRisk ?? []).filter((signal) => signal.factor === RISK_FACTORS.subjectRiskReported && signal.level !== undefined && signal.level !== 'low');
  if (reported.length === 0) return undefined;
  const level = reported.some((signal) => signal.level === 'high') ? 'high' : 'medium';
  const full = settings.riskWeights[RISK_FACTORS.subjectRiskReported];
  const weight = level === 'high' ? full : Math.round(full / 2);
  const explanation = reported
    .filter((signal) => signal.level === level)
    .map((signal) => `${signal.source} reports ${level} risk${signal.reason === '' ? '' : `: ${signal.reason}`}`)
    .join('; ');
  return { name: RISK_FACTORS.subjectRiskReported, weight, explanation };
};
