// Risk factor `authn-stale`: the subject last authenticated longer ago than the limit, or the PEP
// could not say when (NIST SP 800-207 §2.1 tenet 6: periodic re-authentication).
import { authnAgeSeconds, isAuthenticated } from '../authn-facts.js';
import { formatDuration } from '../explain-duration.js';
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const authnStale: RiskCriterion = (request, signals, settings) => {
  const authn = request.authn;
  if (!isAuthenticated(authn)) return undefined;
  const age = authnAgeSeconds(authn, signals.now);
  if (age === undefined) return riskFactor(RISK_FACTORS.authnStale, settings, 'the time of authentication is unknown');
  if (age <= settings.authnMaxAgeSeconds) return undefined;
  const limit = formatDuration(settings.authnMaxAgeSeconds);
  return riskFactor(RISK_FACTORS.authnStale, settings, `authenticated ${formatDuration(age)} ago; limit ${limit}`);
};
