// Risk factor `ip-threat-listed`: the client IP, or the host the request is for, is covered by a
// threat-intelligence indicator (NIST SP 800-207 §3.3: threat intelligence feeds the policy engine).
// The factor keeps its name for both (one weight, one Cedar flag: context.network.threatListed);
// the reason says which was listed.
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const ipThreatListed: RiskCriterion = (request, signals, settings) => {
  if (signals.threats.length === 0) return undefined;
  const categories = [...new Set(signals.threats.map((threat) => threat.category))].sort();
  const domain = request.environment.domain;
  const byDomain = domain !== undefined && signals.threats.every((threat) => isDomainIndicator(threat.indicator));
  const listed = byDomain ? `the host ${domain}` : (request.environment.ip ?? 'the client address');
  return riskFactor(RISK_FACTORS.ipThreatListed, settings, `${listed} is on a threat list (${categories.join(', ')})`);
};

/** Domain indicators are names (`evil.example`, `*.evil.example`); IP ones are addresses or CIDRs. */
function isDomainIndicator(indicator: string): boolean {
  return !/^[0-9a-f:.]+(\/\d+)?$/i.test(indicator);
}
