// What Tenet concludes from a request's authentication: one definition shared by the score-based
// risk factors and the Cedar context, so both trust algorithms (NIST SP 800-207 §3.3) agree.
import type { Authentication } from './tuple.js';

/**
 * Multi-factor per RFC 8176: the IdP said `mfa`, or at least two distinct methods were used
 * (e.g. `pwd` + `otp`, `hwk` + `webauthn`).
 */
export function isMultiFactor(authn: Authentication): boolean {
  return authn.methods.includes('mfa') || new Set(authn.methods).size >= 2;
}

/** Whether the subject authenticated at all (a PEP passes no `authn`, or no methods, for anonymous requests). */
export function isAuthenticated(authn: Authentication | undefined): authn is Authentication {
  return authn !== undefined && authn.methods.length > 0;
}

/** Seconds since the subject last authenticated, or undefined when unknown or unparseable. */
export function authnAgeSeconds(authn: Authentication, now: Date): number | undefined {
  return secondsSince(authn.authenticatedAt, now);
}

/** Whole seconds from an ISO 8601 instant to `now` (never negative: clock skew counts as fresh). */
export function secondsSince(instant: string | undefined, now: Date): number | undefined {
  if (instant === undefined) return undefined;
  const at = Date.parse(instant);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.floor((now.getTime() - at) / 1000));
}
