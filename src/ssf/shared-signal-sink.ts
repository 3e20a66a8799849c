// What a received CAEP event does in Tenet (the receiver's port; implemented in the composition
// root over sessions, device identity and subject signals). Each method returns how many things it
// changed, so the receiver can tell "unknown subject" (0) from success, and resolves only once the
// change has taken effect (cached decisions dropped, live connections re-checked).
import type { SubjectMatch } from './subject-identifier.js';
import type { CaepRiskLevel } from './caep-events.js';

export interface SharedSignalSink {
  /** session-revoked: ends the matching sessions. */
  revokeSessions(match: SubjectMatch, reason: string): Promise<number>;
  /** credential-change: ends the matching sessions, so the user must log in again with the new credential. */
  requireFreshLogin(match: SubjectMatch, reason: string): Promise<number>;
  /** device-compliance-change: records a posture report from the transmitter (source `ssf:<issuer>`). */
  deviceCompliance(match: SubjectMatch, compliant: boolean, observedAt: string, source: string): Promise<number>;
  /** risk-level-change: the subject's reported risk level (factor subject-risk-reported), until changed again. */
  /** `observedAt`: the event's event_timestamp (else the SET's iat), ISO 8601 — an older report than the stored one is ignored. */
  subjectRiskLevel(match: SubjectMatch, level: CaepRiskLevel, reason: string, source: string, observedAt?: string): Promise<number>;
  /** assurance-level-change: the matching sessions' authentication now has this acr (and amr, when given). */
  assuranceLevel(match: SubjectMatch, change: { readonly acr: string; readonly amr?: readonly string[] }, source: string): Promise<number>;
  /** token-claims-change: claims of the matching sessions changed (groups, email, …): they are mapped again. */
  tokenClaims(match: SubjectMatch, claims: Readonly<Record<string, unknown>>, source: string): Promise<number>;
}
