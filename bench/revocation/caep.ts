// CAEP session-revoked events for the revocation benchmark: SETs signed by the stack's transmitter
// (ES256, its published JWKS), naming the user by email (RFC 9493 §3.2.2; the receiver matches the
// sessions whose identity carries that address) or, with `--caep-subject opaque`, by Cedar
// principal, pushed to Tenet's RFC 8935 endpoint with the transmitter's push token, as a
// transmitter delivers them.
import { CAEP_EVENTS } from '../../src/ssf/caep-events.js';
import { CAEP_SUBJECT } from './options.js';
import { SET_AUDIENCE, type BenchStack } from './stack.js';

/** A signed session-revoked SET about the user `User::"<userId>"` with `email`. */
export function signSessionRevoked(stack: BenchStack, userId: string, email: string): Promise<string> {
  return stack.transmitter.sign({
    events: { [CAEP_EVENTS.sessionRevoked]: { event_timestamp: Math.floor(Date.now() / 1000), initiating_entity: 'admin', reason_admin: { en: 'revocation benchmark' } } },
    sub_id: CAEP_SUBJECT === 'email' ? { format: 'email', email } : { format: 'opaque', id: `User::${JSON.stringify(userId)}` },
    aud: SET_AUDIENCE,
  });
}

/** Pushes one SET (RFC 8935 §2); throws unless the receiver accepted it (202). */
export async function pushSet(stack: BenchStack, set: string): Promise<void> {
  const response = await fetch(stack.push.url, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json', authorization: `Bearer ${stack.push.token}` }, body: set });
  if (response.status !== 202) throw new Error(`the SSF push answered ${response.status}: ${await response.text()}`);
}
