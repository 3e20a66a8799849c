// Where the pipeline sends a browser that must (re-)authenticate: the login endpoint on the proxy's
// public URL (src/enforcement/authenticate), carrying the page to come back to and, for a step-up,
// what the new authentication must satisfy.
import type { StepUp } from '../../engine/decision.js';

export function loginUrl(publicUrl: string, returnTo: string): string {
  const url = new URL('/.tenet/login', publicUrl);
  url.searchParams.set('rd', returnTo);
  return url.toString();
}

export function stepUpUrl(publicUrl: string, returnTo: string, requirement: StepUp, providerId: string): string {
  const url = new URL('/.tenet/login', publicUrl);
  url.searchParams.set('rd', returnTo);
  url.searchParams.set('provider', providerId);
  url.searchParams.set('step_up', '1');
  url.searchParams.set('max_age', String(requirement.maxAgeSeconds));
  if (requirement.phishingResistant) url.searchParams.set('phr', '1');
  return url.toString();
}
