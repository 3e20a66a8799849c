// Risk factor `authn-missing`: the subject did not authenticate (NIST SP 800-207 §2.1 tenet 6:
// authentication is dynamic and strictly enforced before access).
import { isAuthenticated } from '../authn-facts.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const authnMissing: RiskCriterion = (request, _signals, settings) => {
  if (isAuthenticated(request.authn)) return undefined;
  return riskFactor(RISK_FACTORS.authnMissing, settings, 'the request is not authenticated');
};
