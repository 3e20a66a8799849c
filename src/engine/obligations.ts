// What a PEP must do with a decision beyond enforcing it: how long it may cache it and when it
// must ask again (NIST SP 800-207 §2.1 tenet 6: continual re-evaluation).
import { authnAgeSeconds, isAuthenticated } from './authn-facts.js';
import type { Obligations, Outcome, StepUp } from './decision.js';
import { devicePosture, postureAgeSeconds } from './device-facts.js';
import type { EngineSettings } from './settings.js';
import type { SignalSnapshot } from './signals.js';
import type { AccessRequest } from './tuple.js';

/** Seconds until a signal that is fresh now goes stale; an allow must not outlive its evidence. */
function freshnessLeft(request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings): number[] {
  const left: number[] = [];
  if (signals.device !== undefined) {
    const age = postureAgeSeconds(signals.device, signals.now, settings);
    if (age !== undefined && age <= settings.postureMaxAgeSeconds) left.push(settings.postureMaxAgeSeconds - age);
    // A passing time-bound posture check (report-age, package-updates) fails at this moment: the
    // device stops being compliant then, so an allow that relied on it must be decided again.
    const compliantFor = devicePosture(signals.device, signals.now, settings).passesForSeconds;
    if (compliantFor !== undefined) left.push(compliantFor);
  }
  if (isAuthenticated(request.authn)) {
    const age = authnAgeSeconds(request.authn, signals.now);
    if (age !== undefined && age <= settings.authnMaxAgeSeconds) left.push(settings.authnMaxAgeSeconds - age);
  }
  return left;
}

export function obligationsFor(outcome: Outcome, request: AccessRequest, signals: SignalSnapshot, settings: EngineSettings, stepUp?: StepUp): Obligations {
  const { allowCacheTtlSeconds, denyCacheTtlSeconds, reevaluateAfterSeconds } = settings.obligations;
  if (outcome !== 'allow') {
    const base = { cacheTtlSeconds: denyCacheTtlSeconds, reevaluateAfterSeconds };
    return stepUp === undefined ? base : { ...base, stepUp };
  }
  const left = freshnessLeft(request, signals, settings);
  return {
    cacheTtlSeconds: Math.min(allowCacheTtlSeconds, ...left),
    reevaluateAfterSeconds: Math.min(reevaluateAfterSeconds, ...left),
  };
}
