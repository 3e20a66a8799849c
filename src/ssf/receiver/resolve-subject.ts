// Turns a SET's subject identifier (RFC 9493, SSF 1.0 §3) into a SubjectMatch in Tenet's terms.
//   email                       → sessions and users with that email
//   iss_sub, iss = a configured IdP issuer → that IdP's user (sessions by provider + sub)
//   iss_sub, any other iss      → unknown (Tenet cannot vouch that another issuer's `sub` names the same person)
//   opaque `Type::"id"`         → that Cedar principal (the spelling Tenet's own transmitter uses)
//   complex {user, session, device}: user as above; session: the IdP `sid` when the user is an
//   IdP iss_sub, otherwise a Tenet session id; device: an opaque Tenet device id
// Other formats and members cannot be resolved: the answer is undefined, "unknown subject".
import type { ComplexSubject, SimpleSubjectIdentifier, SubjectIdentifier, SubjectMatch } from '../subject-identifier.js';
import { parseEntityRefText } from '../../signals/entity-ref-text.js';

/** The subject formats a transmitter may be allowed to use (`ssf.receiver.transmitters[].subjects`). */
export type AcceptedSubjectFormat = 'email' | 'iss_sub' | 'opaque' | 'complex';

// Cedar entity-key spelling: Namespace::Type::"id", the id a JSON string.

/** The identifier's format as `ssf.receiver.transmitters[].subjects` names it. */
export function subjectFormat(identifier: SubjectIdentifier): string {
  return 'format' in identifier ? identifier.format : 'complex';
}

/** Reads `User::"alice"` into a principal; undefined when it is not that spelling. */
export function parseEntityKey(text: string): { type: string; id: string } | undefined {
  return parseEntityRefText(text);
}

/** `identityProviderIssuers`: the issuers of authentication.providers. Undefined: nothing Tenet knows can match. */
export function resolveSubject(identifier: SubjectIdentifier, identityProviderIssuers: ReadonlySet<string>): SubjectMatch | undefined {
  if ('format' in identifier) return resolveUser(identifier, identityProviderIssuers);
  return resolveComplex(identifier, identityProviderIssuers);
}

function resolveUser(identifier: SimpleSubjectIdentifier, issuers: ReadonlySet<string>): SubjectMatch | undefined {
  switch (identifier.format) {
    case 'email':
      // RFC 9493 §3.2.2 allows case differences in the domain; Tenet compares whole addresses case-insensitively.
      return { email: identifier.email.toLowerCase() };
    case 'iss_sub':
      return issuers.has(identifier.iss) ? { idp: { issuer: identifier.iss, sub: identifier.sub } } : undefined;
    case 'opaque': {
      const subject = parseEntityKey(identifier.id);
      return subject === undefined ? undefined : { subject };
    }
    default:
      return undefined;
  }
}

function resolveComplex(identifier: ComplexSubject, issuers: ReadonlySet<string>): SubjectMatch | undefined {
  let match: SubjectMatch = {};
  if (identifier.user !== undefined) {
    const user = resolveUser(identifier.user, issuers);
    // Every member given must match (SSF 1.0 §3.2); a user Tenet cannot resolve makes the whole subject unknown.
    if (user === undefined) return undefined;
    match = { ...match, ...user };
  }
  if (identifier.session !== undefined) {
    if (identifier.session.format !== 'opaque') return undefined;
    match = { ...match, session: identifier.session.id };
  }
  if (identifier.device !== undefined) {
    if (identifier.device.format !== 'opaque') return undefined;
    match = { ...match, deviceId: identifier.device.id };
  }
  return Object.keys(match).length === 0 ? undefined : match;
}
