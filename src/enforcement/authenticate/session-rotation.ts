// Login rotates the session (OWASP Session Management Cheat Sheet: renew the session id on any
// privilege change): the session this browser held on the host is revoked, never kept or reused,
// so a copy of the old cookie is worthless. Whether the new session joins the old login decides
// what logout ends later:
//   same provider and same user (re-login, step-up) → the same loginId, so one logout still ends
//     every host's session this browser collected;
//   another user → the old user's whole login ends here (a new user has taken over the browser).
import type { HttpRequestFacts } from '../access/http-access.js';
import type { SessionIdentity } from '../../sessions/session.js';
import type { EndpointContext } from './endpoint-context.js';

/** Revokes the session the browser presents on this host, if any. */
export async function replacePreviousSession(context: EndpointContext, facts: HttpRequestFacts): Promise<void> {
  const secret = context.sessions.readCookie(facts.cookie);
  if (secret === undefined) return;
  const previous = await context.sessions.resume(secret, facts.host);
  if (previous !== undefined) await context.sessions.revoke(previous.id);
}

/** Ends the browser's previous session on this host and returns its loginId when the new login is the same user's. */
export async function rotateLogin(context: EndpointContext, facts: HttpRequestFacts, identity: SessionIdentity): Promise<string | undefined> {
  const secret = context.sessions.readCookie(facts.cookie);
  if (secret === undefined) return undefined;
  const previous = await context.sessions.resume(secret, facts.host);
  if (previous === undefined) return undefined;
  const sameUser = previous.identity.providerId === identity.providerId && previous.identity.idpSubject === identity.idpSubject;
  if (!sameUser) {
    await context.sessions.endLogin(previous.id);
    return undefined;
  }
  await context.sessions.revoke(previous.id);
  return previous.loginId;
}
