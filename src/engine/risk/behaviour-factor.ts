// Risk factors `behaviour-*`: anomalies in the subject's own history (NIST SP 800-207 §3.3.1, the
// contextual trust algorithm: a request is judged against the subject's recent behaviour). The
// detection happens outside the engine (src/signals/behaviour, which sees the decision history);
// the engine only weighs what the caller put in `SignalSnapshot.subjectRisk`, one criterion per
// factor so each is weighted once however many signals name it.
import { RISK_FACTORS, type RiskFactorName } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

function behaviourFactor(name: RiskFactorName): RiskCriterion {
  return (_request, signals, settings) => {
    const found = (signals.subjectRisk ?? []).filter((signal) => signal.factor === name);
    if (found.length === 0) return undefined;
    return riskFactor(name, settings, found.map((signal) => signal.reason).join('; '));
  };
}

export const behaviourNewDevice = behaviourFactor(RISK_FACTORS.behaviourNewDevice);
export const behaviourImpossibleTravel = behaviourFactor(RISK_FACTORS.behaviourImpossibleTravel);
export const behaviourUnusualHour = behaviourFactor(RISK_FACTORS.behaviourUnusualHour);
export const behaviourDenialBurst = behaviourFactor(RISK_FACTORS.behaviourDenialBurst);
export const behaviourRequestRate = behaviourFactor(RISK_FACTORS.behaviourRequestRate);
