// Risk factor `ip-threat-listed`: the client IP is covered by a threat-intelligence indicator
// (NIST SP 800-207 §3.3: threat intelligence feeds the policy engine).
import { RISK_FACTORS } from '../reasons.js';
import { riskFactor, type RiskCriterion } from './criterion.js';

export const ipThreatListed: RiskCriterion = (request, signals, settings) => {
  if (signals.threats.length === 0) return undefined;
  const categories = [...new Set(signals.threats.map((threat) => threat.category))].sort();
  const ip = request.environment.ip ?? 'the client address';
  return riskFactor(RISK_FACTORS.ipThreatListed, settings, `${ip} is on a threat list (${categories.join(', ')})`);
};
