// The shape of a score-based risk criterion (NIST SP 800-207 §3.3.1 "score-based" trust
// algorithm): one pure function per factor, each in its own file, each explaining itself.
import type { RiskFactor } from '../decision.js';
import type { RiskFactorName } from '../reasons.js';
import type { EngineSettings } from '../settings.js';
import type { SignalSnapshot } from '../signals.js';
import type { AccessRequest } from '../tuple.js';

/** Returns the factor when it applies to this request, undefined when it does not. */
export type RiskCriterion = (request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings) => RiskFactor | undefined;

export function riskFactor(name: RiskFactorName, settings: EngineSettings, explanation: string): RiskFactor {
  return { name, weight: settings.riskWeights[name], explanation };
}
