// Risk factor `subject-unknown`: the subject has no entry in the identity store, so nothing the
// enterprise knows about it (groups, status) backs the request.
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const subjectUnknown: RiskCriterion = (request, signals, settings) => {
  const { type, id } = request.subject;
  if (signals.entities.get({ type, id }) !== undefined) return undefined;
  return riskFactor(RISK_FACTORS.subjectUnknown, settings, `subject ${type}::"${id}" is not in the identity store`);
};
