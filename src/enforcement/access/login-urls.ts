// Where the pipeline sends a browser that must (re-)authenticate: the login endpoint on the proxy's
// public URL (src/enforcement/authenticate), carrying the page to come back to; for a step-up, the
// step-up endpoint (src/enforcement/passkeys), which uses a passkey when the user has one and
// otherwise forwards the very same parameters to the login endpoint (the IdP step-up).
import type { StepUp } from '../../engine/decision.js';

export function loginUrl(publicUrl: string, returnTo: string): string {
  const url = new URL('/.tenet/login', publicUrl);
  url.searchParams.set('rd', returnTo);
  return url.toString();
}

/** `/.tenet/step-up?rd=…&provider=…&step_up=1&max_age=…[&phr=1]` on the public URL. */
export function stepUpUrl(publicUrl: string, returnTo: string, requirement: StepUp, providerId: string): string {
  const url = new URL('/.tenet/step-up', publicUrl);
  url.searchParams.set('rd', returnTo);
  url.searchParams.set('provider', providerId);
  // Kept although the path already says "step-up": the IdP fallback is this query on /.tenet/login.
  url.searchParams.set('step_up', '1');
  url.searchParams.set('max_age', String(requirement.maxAgeSeconds));
  if (requirement.phishingResistant) url.searchParams.set('phr', '1');
  return url.toString();
}
