// Builds the reasons a decision carries, for both sides. Every message is safe for the end user:
// it names policies by id and signals by kind, never policy text or secrets.
import { authnAgeSeconds, isAuthenticated } from './authn-facts.js';
import type { EvaluationResult } from './cedar/evaluator.js';
import type { Reason, RiskAssessment } from './decision.js';
import { devicePosture, postureAgeSeconds } from './device-facts.js';
import { formatDuration } from './explain-duration.js';
import type { PolicySet } from './policy-set.js';
import { POSTURE_CHECKS } from './posture/posture-check.js';
import { isPostureCheckFactorName, REASON_CODES } from './reasons.js';
import type { EngineSettings } from './settings.js';
import type { SignalSnapshot } from './signals.js';
import type { AccessRequest } from './tuple.js';

export function cedarReasons(result: EvaluationResult, policySet: PolicySet): Reason[] {
  const reasons: Reason[] = [];
  for (const policyId of result.determining) {
    const forbids = policySet.policies.get(policyId)?.effect === 'forbid';
    reasons.push(forbids
      ? { code: REASON_CODES.policyForbid, effect: 'deny', message: `policy ${policyId} forbids this request`, policyId }
      : { code: REASON_CODES.policyPermit, effect: 'allow', message: `policy ${policyId} permits this request`, policyId });
  }
  for (const { policyId } of result.errored) {
    reasons.push({ code: REASON_CODES.policyError, effect: 'deny', message: `policy ${policyId} could not be evaluated and was skipped`, policyId });
  }
  if (result.decision === 'deny' && result.determining.length === 0) {
    reasons.push({ code: REASON_CODES.noApplicablePolicy, effect: 'deny', message: 'no policy permits this request' });
  }
  return reasons;
}

export function riskTooHighReason(risk: RiskAssessment): Reason {
  const threshold = risk.threshold;
  const limit = threshold === undefined ? '' : ` exceeds ${threshold.maxScore}, the limit for ${threshold.sensitivity}-sensitivity resources`;
  // The weighted factors only: a failed posture check's entry is part of `device-not-compliant`.
  const factors = risk.factors.filter((factor) => !isPostureCheckFactorName(factor.name)).map((factor) => factor.name).join(', ');
  return { code: REASON_CODES.riskTooHigh, effect: 'deny', message: `risk score ${risk.score}${limit} (${factors})` };
}

export function riskReasons(risk: RiskAssessment): Reason[] {
  return risk.factors.map((factor) => ({ code: REASON_CODES.riskFactor, effect: 'deny', message: factor.explanation, detail: factor.name }));
}

/** Missing or stale signals, named explicitly: absence of evidence is never an implicit pass. */
export function signalReasons(request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings): Reason[] {
  const reasons: Reason[] = [];
  const device = signals.device;
  if (device !== undefined) {
    const age = postureAgeSeconds(device, signals.now, settings);
    if (age === undefined) {
      reasons.push({ code: REASON_CODES.signalMissing, effect: 'deny', message: `no usable posture reported for device ${device.id}`, detail: 'device-posture' });
    } else if (age > settings.postureMaxAgeSeconds) {
      reasons.push({ code: REASON_CODES.signalStale, effect: 'deny', message: `posture observed ${formatDuration(age)} ago; limit ${formatDuration(settings.postureMaxAgeSeconds)}`, detail: 'device-posture' });
    }
    // The one failed check no risk factor explains (device-not-compliant lists the others).
    const noVerdict = devicePosture(device, signals.now, settings).checks.find((check) => check.name === POSTURE_CHECKS.noVerdict);
    if (noVerdict !== undefined) {
      reasons.push({ code: REASON_CODES.signalMissing, effect: 'deny', message: `device ${device.id} is not known to be compliant: ${noVerdict.reason}`, detail: 'device-compliance' });
    }
  }
  const authn = request.authn;
  if (isAuthenticated(authn)) {
    const age = authnAgeSeconds(authn, signals.now);
    if (age === undefined) {
      reasons.push({ code: REASON_CODES.signalMissing, effect: 'deny', message: 'the time of authentication is unknown', detail: 'authentication-time' });
    } else if (age > settings.authnMaxAgeSeconds) {
      reasons.push({ code: REASON_CODES.signalStale, effect: 'deny', message: `authenticated ${formatDuration(age)} ago; limit ${formatDuration(settings.authnMaxAgeSeconds)}`, detail: 'authentication' });
    }
  }
  if (request.environment.ip === undefined) {
    reasons.push({ code: REASON_CODES.signalMissing, effect: 'deny', message: 'the client address is unknown, so threat intelligence was not consulted', detail: 'client-ip' });
  }
  return reasons;
}

export function invalidRequestReason(message: string): Reason {
  return { code: REASON_CODES.invalidRequest, effect: 'deny', message: `the request is invalid: ${message}` };
}

export function evaluationErrorReason(): Reason {
  return { code: REASON_CODES.evaluationError, effect: 'deny', message: 'the request could not be evaluated, so access is denied' };
}

export function stepUpReason(phishingResistant: boolean): Reason {
  const how = phishingResistant ? 'with a phishing-resistant method (security key or passkey)' : 'with multi-factor authentication';
  return { code: REASON_CODES.stepUpRequired, effect: 'deny', message: `sign in again ${how} to continue` };
}
