// The user's own passkeys, on the public host:
//   GET  /.tenet/passkeys          the list (name, created, last used, synced) with remove buttons,
//                                  and registration (only after a sign-in in the last 10 minutes)
//   POST /.tenet/passkeys/delete   { id } → removes one of the user's own passkeys
// Without a session the page sends the browser to sign in and come back.
import { entityKey } from '../../engine/cedar/entity-key.js';
import { answerJson, answerMethodNotAllowed, answerRedirect } from '../authenticate/http-answers.js';
import { answerJsonError, readJsonRequest } from './json-request.js';
import { credentialLabel, publicSession, type PasskeyContext, type PasskeyRequest } from './passkey-context.js';
import { answerScriptedPage, passkeyListBody } from './passkey-pages.js';
import type { RelyingParty } from './relying-party.js';
import { freshSignInHref, recentlySignedIn } from './registration-endpoints.js';
import { firstIssue, removeBody } from './webauthn-response.js';

export const REMOVE_PATH = '/.tenet/passkeys/delete';

export async function handleManagePage(context: PasskeyContext, { res, facts }: PasskeyRequest, rp: RelyingParty): Promise<void> {
  if (facts.method !== 'GET' && facts.method !== 'HEAD') return answerMethodNotAllowed(res, ['GET']);
  const session = await publicSession(context, facts);
  if (session === undefined) return answerRedirect(res, freshSignInHref(rp, undefined));
  const passkeys = await context.passkeys.listFor(session.identity.subject);
  const registration = recentlySignedIn(session, context.now()) ? ({ allowed: true } as const) : ({ allowed: false, signInAgain: freshSignInHref(rp, session) } as const);
  answerScriptedPage(res, 200, 'Your passkeys', passkeyListBody(passkeys, registration));
}

export async function handleRemove(context: PasskeyContext, { req, res, facts }: PasskeyRequest, rp: RelyingParty): Promise<void> {
  const read = await readJsonRequest(req, res, facts.method, rp.origin);
  if (!read.ok) return;
  const session = await publicSession(context, facts);
  if (session === undefined) return answerJsonError(res, 401, 'login_required', 'sign in first', { login_url: freshSignInHref(rp, undefined) });
  const parsed = removeBody.safeParse(read.body);
  if (!parsed.success) return answerJsonError(res, 400, 'invalid_request', firstIssue(parsed.error));
  // Scoped to the owner by the store: another user's credential id removes nothing.
  const removed = await context.passkeys.remove(session.identity.subject, parsed.data.id);
  if (!removed) return answerJsonError(res, 404, 'not_found', 'you have no passkey with this id');
  context.logger.info({ outcome: 'passkey-removed', subject: entityKey(session.identity.subject), credential: credentialLabel(parsed.data.id) }, 'passkey removed');
  answerJson(res, 200, { removed: true });
}
