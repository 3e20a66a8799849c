// Risk factor `subject-disabled`: the identity store (or the PEP, for this request) marks the
// subject as disabled (`disabled == true`) or inactive (`active == false`).
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

function isDisabled(attrs: Readonly<Record<string, unknown>> | undefined): boolean {
  return attrs !== undefined && (attrs['disabled'] === true || attrs['active'] === false);
}

export const subjectDisabled: RiskCriterion = (request, signals, settings) => {
  const { type, id } = request.subject;
  const stored = signals.entities.get({ type, id });
  // Either source can disable; neither can re-enable what the other disabled.
  if (!isDisabled(stored?.attrs) && !isDisabled(request.subject.properties)) return undefined;
  return riskFactor(RISK_FACTORS.subjectDisabled, settings, 'the account is disabled');
};
