// Risk factor `authn-not-phishing-resistant`: no method resists phishing (FIDO2/WebAuthn, smart
// card), so a relayed login would look the same.
import { isAuthenticated } from '../authn-facts.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const authnNotPhishingResistant: RiskCriterion = (request, _signals, settings) => {
  const authn = request.authn;
  if (!isAuthenticated(authn) || authn.phishingResistant) return undefined;
  return riskFactor(RISK_FACTORS.authnNotPhishingResistant, settings, 'the authentication method is not phishing-resistant');
};
