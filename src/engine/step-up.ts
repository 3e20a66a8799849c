// Step-up: would stronger, fresh authentication turn this deny into an allow?
//
// Answered counterfactually: the whole trust algorithm runs again with the request's
// authentication replaced by a fresh one. That keeps policies free of step-up syntax: any policy
// condition or risk threshold that depends on authentication strength or age yields a step-up by
// itself, and a deny that authentication cannot fix (a forbid on a threat-listed IP, a revoked
// device, a disabled account) stays a deny because the counterfactual still denies.
import { isAuthenticated } from './authn-facts.js';
import type { StepUp } from './decision.js';
import type { PolicySet } from './policy-set.js';
import type { EngineSettings } from './settings.js';
import type { SignalSnapshot } from './signals.js';
import { evaluateTrust, type TrustEvaluation } from './trust-algorithm.js';
import type { AccessRequest, Authentication } from './tuple.js';

/** The strongest authentication a user can present: a fresh FIDO2 security key / passkey. */
function phishingResistantMfa(now: Date): Authentication {
  return { methods: ['hwk', 'webauthn'], phishingResistant: true, authenticatedAt: now.toISOString() };
}

/** Fresh multi-factor authentication that is not phishing-resistant (password + one-time code). */
function ordinaryMfa(now: Date): Authentication {
  return { methods: ['pwd', 'otp'], phishingResistant: false, authenticatedAt: now.toISOString() };
}

/** The counterfactual reuses what the actual evaluation built that does not depend on authentication. */
function allowedWith(authn: Authentication, request: AccessRequest, signals: SignalSnapshot, policySet: PolicySet, settings: EngineSettings, actual: TrustEvaluation): boolean {
  return evaluateTrust({ ...request, authn }, signals, policySet, settings, actual.reusable).allowed;
}

/**
 * The step-up that would allow a denied request, or undefined when none would. Only offered to an
 * authenticated subject: an anonymous one is sent to log in, which is the PEP's business.
 */
export function stepUpFor(request: AccessRequest, signals: SignalSnapshot, policySet: PolicySet, settings: EngineSettings, actual: TrustEvaluation): StepUp | undefined {
  if (actual.allowed || actual.invalidRequest || !isAuthenticated(request.authn)) return undefined;
  if (!allowedWith(phishingResistantMfa(signals.now), request, signals, policySet, settings, actual)) return undefined;
  // Ask for phishing resistance only when ordinary MFA would not do.
  const phishingResistant = !allowedWith(ordinaryMfa(signals.now), request, signals, policySet, settings, actual);
  return { phishingResistant, maxAgeSeconds: settings.stepUpMaxAgeSeconds };
}
