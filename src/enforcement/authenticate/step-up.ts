// Step-up logins: what the login URL asks for (`step_up=1&max_age=<s>&phr=1`), how it is sent to
// the provider (OIDC Core §3.1.2.1 `max_age`, `prompt=login`, `acr_values`), and the check that the
// new ID token really satisfies it. The provider may ignore max_age or acr_values (both are
// requests, not guarantees), so the token itself is what counts (OIDC Core §3.1.3.7 step 13).
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import type { Authentication } from '../../engine/tuple.js';
import { CLOCK_LEEWAY_SECONDS } from './discover-providers.js';

export interface StepUpRequirement {
  /** The user must have authenticated at most this many seconds before the step-up started. */
  readonly maxAgeSeconds: number;
  readonly phishingResistant: boolean;
}

const MAX_AGE_FORMAT = /^\d{1,9}$/;

/** The step-up requirement in a login query: none, one, or a problem with the parameters. */
export function parseStepUp(query: URLSearchParams): { readonly stepUp: StepUpRequirement | undefined } | { readonly problem: string } {
  const stepUp = query.get('step_up');
  const maxAge = query.get('max_age');
  const phr = query.get('phr');
  if (stepUp !== null && stepUp !== '1' && stepUp !== '0') return { problem: 'step_up must be 1 or 0.' };
  if (phr !== null && phr !== '1' && phr !== '0') return { problem: 'phr must be 1 or 0.' };
  if (maxAge !== null && !MAX_AGE_FORMAT.test(maxAge)) return { problem: 'max_age must be a number of seconds.' };
  if (stepUp !== '1' && maxAge === null && phr !== '1') return { stepUp: undefined };
  // A step-up without max_age means "authenticate again now".
  return { stepUp: { maxAgeSeconds: maxAge === null ? 0 : Number(maxAge), phishingResistant: phr === '1' } };
}

/** Authorization request parameters for a step-up. */
export function stepUpParameters(provider: OidcProviderConfig, stepUp: StepUpRequirement): Record<string, string> {
  const parameters: Record<string, string> = { max_age: String(stepUp.maxAgeSeconds) };
  // max_age=0 alone is treated by some providers as "no limit"; prompt=login forces re-authentication.
  if (stepUp.maxAgeSeconds === 0) parameters.prompt = 'login';
  if (stepUp.phishingResistant && provider.stepUpAcrValues.length > 0) parameters.acr_values = provider.stepUpAcrValues.join(' ');
  return parameters;
}

/** Why the new authentication does not meet the step-up, or undefined when it does. */
export function unmetStepUp(stepUp: StepUpRequirement, authn: Authentication, startedAt: Date): string | undefined {
  if (authn.authenticatedAt === undefined) {
    return 'The identity provider did not say when you signed in (no auth_time), so a recent sign-in cannot be confirmed.';
  }
  // An honest provider guarantees auth_time >= (time of the request) - max_age; the request came
  // after the login started, so this is the bound the token must meet (plus clock leeway).
  const earliest = startedAt.getTime() - (stepUp.maxAgeSeconds + CLOCK_LEEWAY_SECONDS) * 1000;
  if (Date.parse(authn.authenticatedAt) < earliest) {
    return 'This application needs a recent sign-in, but the identity provider reused an earlier one.';
  }
  if (stepUp.phishingResistant && !authn.phishingResistant) {
    return 'This application needs a phishing-resistant sign-in (a security key or passkey), but the identity provider reported another method.';
  }
  return undefined;
}
