// How Tenet names the subject of a CAEP event it transmits (RFC 9493; SSF 1.0 §3.2 complex
// subjects). The `sub_id` uses the identifier a receiver is most likely to resolve: the IdP's
// iss_sub when the login came from an IdP, else the email, else Tenet's principal as `opaque`
// (`User::"alice"`, the entity-key spelling). Matching against streams' subjects uses all of them.
import type { EntityRef } from '../../engine/tuple.js';
import type { EventSubjectMembers } from './stream-subjects.js';

/** Who an event is about, as the caller knows them. */
export interface CaepSubject {
  /** Tenet's principal. */
  readonly subject: EntityRef;
  readonly email?: string;
  /** The identity provider's issuer and `sub`, when the principal logged in through one. */
  readonly idp?: { readonly issuer: string; readonly sub: string };
  /** A Tenet session id, for session-revoked about one session. */
  readonly session?: string;
}

type Identifier = Readonly<Record<string, unknown>>;

/** `User::"alice"`: the same spelling as the decision log and subject signals. */
export function entityKey(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}

function userIdentifiers(subject: CaepSubject): Identifier[] {
  const identifiers: Identifier[] = [];
  if (subject.idp !== undefined) identifiers.push({ format: 'iss_sub', iss: subject.idp.issuer, sub: subject.idp.sub });
  if (subject.email !== undefined && subject.email !== '') identifiers.push({ format: 'email', email: subject.email });
  identifiers.push({ format: 'opaque', id: entityKey(subject.subject) });
  return identifiers;
}

export interface EventSubject {
  /** The SET's `sub_id`. */
  readonly subId: Identifier;
  /** Every identifier of every member, for stream subject matching. */
  readonly members: EventSubjectMembers;
}

/** A user (and optionally one of their sessions). */
export function userEventSubject(subject: CaepSubject): EventSubject {
  const user = userIdentifiers(subject);
  const session = subject.session === undefined ? undefined : [{ format: 'opaque', id: subject.session }];
  return {
    subId: { format: 'complex', user: user[0], ...(session === undefined ? {} : { session: session[0] }) },
    members: { user, ...(session === undefined ? {} : { session }) },
  };
}

/** A device, with its owner when known. */
export function deviceEventSubject(deviceId: string, owner: CaepSubject | undefined): EventSubject {
  const device = [{ format: 'opaque', id: deviceId }];
  const user = owner === undefined ? undefined : userIdentifiers(owner);
  return {
    subId: { format: 'complex', device: device[0], ...(user === undefined ? {} : { user: user[0] }) },
    members: { device, ...(user === undefined ? {} : { user }) },
  };
}
