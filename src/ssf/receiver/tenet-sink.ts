// SharedSignalSink over Tenet's own parts: what a received CAEP event changes. Small ports, so the
// composition root passes the real Sessions, store.devices, store.subjectSignals and the
// SignalChanges bus, and tests can pass the same real pieces over a SQLite store.
//   session-revoked / credential-change → end the matching sessions (the user logs in again)
//   token-claims-change                 → end the matching sessions: claims are mapped only at
//                                         login, so a fresh login is how the new claims take effect
//   assurance-level-change              → the matching logins' authentication gets the new acr (amr)
//   device-compliance-change            → a posture report `{compliant}` from `ssf:<transmitter>`
//   risk-level-change                   → SubjectSignalStore record per matched principal
// Every change is published on the SignalChanges bus before the method resolves, so cached
// decisions are dropped and live connections re-checked by then (the sink contract).
//
// Matching sessions (all given fields must match): the Cedar principal; the email (whole address,
// case-insensitively); the IdP user, by the provider whose issuer the event named; the session —
// the IdP `sid` when an IdP user is named, else Tenet's session id. A match naming only a device
// matches no session (sessions do not record devices); a device next to a user is not narrowed on
// for revocation, which then ends more rather than less.
import type { DevicePosture } from '../../engine/signals.js';
import { entityKey } from '../../engine/cedar/entity-key.js';
import type { Authentication, EntityRef } from '../../engine/tuple.js';
import { isTenetError } from '../../errors.js';
import type { SignalChange } from '../../continuous/signal-change.js';
import type { SessionRecord } from '../../sessions/session.js';
import type { SubjectSignalRecord } from '../../store/ports.js';
import type { CaepRiskLevel } from '../caep-events.js';
import type { SharedSignalSink } from '../shared-signal-sink.js';
import type { SubjectMatch } from '../subject-identifier.js';

/** The part of src/sessions/sessions.ts Sessions used here (listActive is new for this sink). */
export interface SinkSessions {
  listActive(subject?: EntityRef): Promise<SessionRecord[]>;
  /** By index: the sessions of an IdP user, or of an email (the forms CAEP names users in). */
  listActiveByIdentity(match: { readonly providerId: string; readonly idpSubject: string } | { readonly email: string }): Promise<SessionRecord[]>;
  revoke(sessionId: string, reason?: string): Promise<boolean>;
  /** Replaces the authentication of every active session of the login. */
  strengthenLogin(loginId: string, authn: Authentication): Promise<string[]>;
}

/** store.devices. */
export interface SinkDevices {
  /** Rejects with TENET_ERR_STORE_NOT_FOUND for an unknown device. */
  recordPosture(id: string, posture: DevicePosture): Promise<void>;
}

/** store.subjectSignals. */
export interface SinkSubjectSignals {
  put(record: SubjectSignalRecord): Promise<boolean>;
}

/** The SignalChanges bus (src/continuous/signal-change.ts). */
export interface SinkChanges {
  publish(change: SignalChange): Promise<void>;
}

export interface TenetSinkDeps {
  readonly sessions: SinkSessions;
  readonly devices: SinkDevices;
  readonly subjectSignals: SinkSubjectSignals;
  readonly changes: SinkChanges;
  /** authentication.providers: id and issuer. */
  readonly identityProviders: readonly { readonly id: string; readonly issuer: string }[];
  readonly now?: () => Date;
}

// RFC 8176 methods that resist phishing: a hardware-protected key, a smart card.
const PHISHING_RESISTANT_AMR = new Set(['hwk', 'sc']);

export function tenetSharedSignalSink(deps: TenetSinkDeps): SharedSignalSink {
  const providerByIssuer = new Map(deps.identityProviders.map((provider) => [provider.issuer, provider.id]));
  const now = deps.now ?? (() => new Date());

  async function matchingSessions(match: SubjectMatch): Promise<SessionRecord[]> {
    if (match.subject === undefined && match.email === undefined && match.idp === undefined && match.session === undefined) return [];
    let providerId: string | undefined;
    if (match.idp !== undefined) {
      providerId = providerByIssuer.get(match.idp.issuer);
      if (providerId === undefined) return [];
    }
    const email = match.email?.toLowerCase();
    // Narrow by an indexed lookup first (an IdP user, else an email, else the principal); the
    // filter below then applies every member given. Listing every active session per event would
    // cost O(sessions) for each SET.
    const records =
      providerId !== undefined && match.idp !== undefined
        ? await deps.sessions.listActiveByIdentity({ providerId, idpSubject: match.idp.sub })
        : email !== undefined
          ? await deps.sessions.listActiveByIdentity({ email })
          : await deps.sessions.listActive(match.subject);
    return records.filter(
      ({ id, identity }) =>
        (email === undefined || identity.email?.toLowerCase() === email) &&
        (match.idp === undefined || (identity.providerId === providerId && identity.idpSubject === match.idp.sub)) &&
        (match.session === undefined || (match.idp !== undefined ? identity.idpSessionId === match.session : id === match.session)),
    );
  }

  async function endSessions(match: SubjectMatch, reason: string): Promise<number> {
    const ended: string[] = [];
    for (const record of await matchingSessions(match)) if (await deps.sessions.revoke(record.id, reason)) ended.push(record.id);
    if (ended.length > 0) await deps.changes.publish({ kind: 'sessions', sessionIds: ended, reason });
    return ended.length;
  }

  async function principals(match: SubjectMatch): Promise<EntityRef[]> {
    if (match.subject !== undefined && match.email === undefined && match.idp === undefined && match.session === undefined) return [match.subject];
    const seen = new Map<string, EntityRef>();
    for (const record of await matchingSessions(match)) seen.set(entityKey(record.identity.subject), record.identity.subject);
    return [...seen.values()];
  }

  return {
    revokeSessions: (match, reason) => endSessions(match, reason),
    requireFreshLogin: (match, reason) => endSessions(match, reason),
    tokenClaims: (match, _claims, source) => endSessions(match, `${source}: token claims changed; a fresh login maps them again`),

    async deviceCompliance(match, compliant, observedAt, source) {
      if (match.deviceId === undefined) return 0;
      try {
        await deps.devices.recordPosture(match.deviceId, { facts: {}, compliant, observedAt, source });
      } catch (error) {
        if (isTenetError(error) && error.code === 'TENET_ERR_STORE_NOT_FOUND') return 0;
        throw error;
      }
      await deps.changes.publish({ kind: 'device', deviceId: match.deviceId, reason: `${source}: device ${compliant ? 'compliant' : 'not compliant'}` });
      return 1;
    },

    async subjectRiskLevel(match, level: CaepRiskLevel, reason, source, observedAt) {
      const subjects = await principals(match);
      for (const subject of subjects) {
        const stored = await deps.subjectSignals.put({ subject: entityKey(subject), source, riskLevel: level, reason, observedAt: observedAt ?? now().toISOString() });
        if (stored) await deps.changes.publish({ kind: 'subject', subject, reason: `${source}: risk level ${level}` });
      }
      return subjects.length;
    },

    async assuranceLevel(match, change, source) {
      const records = await matchingSessions(match);
      const logins = new Map<string, SessionRecord>();
      for (const record of records) if (!logins.has(record.loginId)) logins.set(record.loginId, record);
      let changed = 0;
      const subjects = new Map<string, EntityRef>();
      for (const record of logins.values()) {
        const authn: Authentication = {
          ...record.authn,
          acr: change.acr,
          ...(change.amr === undefined ? {} : { methods: change.amr, phishingResistant: change.amr.some((method) => PHISHING_RESISTANT_AMR.has(method)) }),
        };
        changed += (await deps.sessions.strengthenLogin(record.loginId, authn)).length;
        subjects.set(entityKey(record.identity.subject), record.identity.subject);
      }
      for (const subject of subjects.values()) await deps.changes.publish({ kind: 'subject', subject, reason: `${source}: assurance level now ${change.acr}` });
      return changed;
    },
  };
}
