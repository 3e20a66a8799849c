// Risk factor `authn-single-factor`: one authentication factor only; a stolen password suffices
// (the NSA's "compromised credentials" scenario).
import { isAuthenticated, isMultiFactor } from '../authn-facts.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const authnSingleFactor: RiskCriterion = (request, _signals, settings) => {
  const authn = request.authn;
  if (!isAuthenticated(authn) || isMultiFactor(authn)) return undefined;
  return riskFactor(RISK_FACTORS.authnSingleFactor, settings, `authenticated with a single factor (${authn.methods.join(', ')})`);
};
