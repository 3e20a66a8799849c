// Using a passkey to strengthen the signed-in login (WebAuthn Level 3 §7.2), on the public host:
//   POST /.tenet/passkeys/authentication/options  { rd }        → request options for the user's passkeys
//   POST /.tenet/passkeys/authentication/verify   { response }  → { redirect: rd }
// The challenge is bound to the session and single use, so a recorded response cannot be replayed;
// the credential must be one of the session subject's; a signature counter that does not increase
// (when either side keeps one) means a cloned authenticator and is refused (§6.1.1). On success every
// session of the login, on every host, becomes phishing-resistant and fresh (Sessions.strengthenLogin).
import { generateAuthenticationOptions, verifyAuthenticationResponse } from '@simplewebauthn/server';
import { entityKey } from '../../engine/cedar/entity-key.js';
import { answerJson } from '../authenticate/http-answers.js';
import { checkReturnTo } from '../authenticate/return-to.js';
import { answerJsonError, readJsonRequest } from './json-request.js';
import { passkeyAuthentication } from './passkey-authentication.js';
import { credentialLabel, publicSession, type PasskeyContext, type PasskeyRequest } from './passkey-context.js';
import type { RelyingParty } from './relying-party.js';
import { freshSignInHref } from './registration-endpoints.js';
import { asAuthenticationResponse, authenticationOptionsBody, authenticationVerifyBody, firstIssue, signCount, signedChallenge } from './webauthn-response.js';

export const AUTHENTICATION_OPTIONS_PATH = '/.tenet/passkeys/authentication/options';
export const AUTHENTICATION_VERIFY_PATH = '/.tenet/passkeys/authentication/verify';

const CEREMONY_TIMEOUT_MS = 60_000;

export async function handleAuthenticationOptions(context: PasskeyContext, request: PasskeyRequest, rp: RelyingParty): Promise<void> {
  const { res } = request;
  const read = await readJsonRequest(request.req, res, request.facts.method, rp.origin);
  if (!read.ok) return;
  const session = await publicSession(context, request.facts);
  if (session === undefined) return answerJsonError(res, 401, 'login_required', 'sign in first', { login_url: freshSignInHref(rp, undefined) });
  const parsed = authenticationOptionsBody.safeParse(read.body);
  if (!parsed.success) return answerJsonError(res, 400, 'invalid_request', firstIssue(parsed.error));
  const returnTo = checkReturnTo(parsed.data.rd, context.returnToAllowed);
  if (!returnTo.ok) return answerJsonError(res, 400, 'invalid_request', returnTo.problem);
  const passkeys = await context.passkeys.listFor(session.identity.subject);
  if (passkeys.length === 0) return answerJsonError(res, 404, 'no_passkeys', 'you have no passkeys registered');
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: passkeys.map((passkey) => ({ id: passkey.id, transports: [...passkey.transports] })),
    userVerification: context.config.userVerification,
    timeout: CEREMONY_TIMEOUT_MS,
  });
  context.challenges.remember(options.challenge, { ceremony: 'authentication', sessionId: session.id, returnTo: returnTo.url.href });
  answerJson(res, 200, options);
}

export async function handleAuthenticationVerify(context: PasskeyContext, request: PasskeyRequest, rp: RelyingParty): Promise<void> {
  const { res } = request;
  const read = await readJsonRequest(request.req, res, request.facts.method, rp.origin);
  if (!read.ok) return;
  const session = await publicSession(context, request.facts);
  if (session === undefined) return answerJsonError(res, 401, 'login_required', 'sign in first', { login_url: freshSignInHref(rp, undefined) });
  const parsed = authenticationVerifyBody.safeParse(read.body);
  if (!parsed.success) return answerJsonError(res, 400, 'invalid_request', firstIssue(parsed.error));
  const { response } = parsed.data;
  const subject = entityKey(session.identity.subject);
  const refuse = (reason: string, description: string): void => {
    context.logger.warn({ outcome: 'passkey-refused', reason, subject, credential: credentialLabel(response.id) }, 'passkey assertion refused');
    answerJsonError(res, 400, reason, description);
  };

  // Burnt first: whatever happens next, this challenge never verifies a second response.
  const challenge = signedChallenge(response.response.clientDataJSON);
  const pending = challenge === undefined ? undefined : context.challenges.take(challenge, 'authentication', session.id);
  if (challenge === undefined || pending?.returnTo === undefined) return refuse('invalid_challenge', 'this confirmation expired or was already used; start again');

  const stored = await context.passkeys.get(response.id);
  // INVARIANT: only the session subject's own passkey can strengthen the session's login.
  if (stored === undefined || entityKey(stored.subject) !== subject) return refuse('unknown_credential', 'this passkey is not registered for you');

  const presented = signCount(response.response.authenticatorData);
  if (presented !== undefined && (presented > 0 || stored.counter > 0) && presented <= stored.counter) {
    context.logger.warn(
      { outcome: 'passkey-refused', reason: 'counter-not-increasing', subject, credential: credentialLabel(stored.id), stored: stored.counter, presented },
      'passkey signature counter did not increase: the authenticator may have been cloned',
    );
    return answerJsonError(res, 400, 'counter_mismatch', 'this passkey reported a signature counter that did not increase, so it may have been copied; it was not accepted');
  }

  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response: asAuthenticationResponse(response),
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: stored.id, publicKey: new Uint8Array(Buffer.from(stored.publicKey, 'base64url')), counter: stored.counter, transports: [...stored.transports] },
      requireUserVerification: context.config.userVerification === 'required',
    });
  } catch (error) {
    context.logger.warn({ outcome: 'passkey-refused', reason: 'verification', subject, credential: credentialLabel(stored.id), problem: (error as Error).message }, 'passkey assertion refused');
    return answerJsonError(res, 400, 'verification_failed', 'your passkey could not be verified');
  }
  if (!verification.verified) return refuse('verification_failed', 'your passkey could not be verified');

  const now = context.now();
  const info = verification.authenticationInfo;
  await context.passkeys.recordUse(stored.id, info.newCounter, now.toISOString());
  const changed = await context.sessions.strengthenLogin(session.loginId, passkeyAuthentication(session.authn, info.userVerified, now));
  context.logger.info({ outcome: 'passkey-used', subject, credential: credentialLabel(stored.id), userVerified: info.userVerified, sessions: changed.length }, 'passkey used: login strengthened');
  answerJson(res, 200, { redirect: pending.returnTo });
}
