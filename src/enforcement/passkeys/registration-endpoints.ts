// Registering a passkey (WebAuthn Level 3 §7.1), for the signed-in user on the public host:
//   POST /.tenet/passkeys/registration/options   {}                      → creation options
//   POST /.tenet/passkeys/registration/verify    { name, response }     → 201 { id, name }
// Both need a session whose sign-in is at most 10 minutes old: a stolen session cookie alone must
// not be able to add the thief's passkey (which would then pass every phishing-resistant step-up).
// Options exclude the user's existing credentials, prefer a discoverable credential, ask for
// attestation "none" (no device model is needed, and asking for one costs privacy), and user
// verification as configured.
import { createHash } from 'node:crypto';
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { entityKey } from '../../engine/cedar/entity-key.js';
import { isTenetError } from '../../errors.js';
import type { SessionRecord } from '../../sessions/session.js';
import { answerJson } from '../authenticate/http-answers.js';
import { LOGIN_PATH } from '../authenticate/login-endpoint.js';
import { answerJsonError, readJsonRequest } from './json-request.js';
import type { PasskeyCredential } from './passkey-credential.js';
import { credentialLabel, publicSession, type PasskeyContext, type PasskeyRequest } from './passkey-context.js';
import type { RelyingParty } from './relying-party.js';
import { asRegistrationResponse, firstIssue, registrationVerifyBody, signedChallenge } from './webauthn-response.js';

export const MANAGE_PATH = '/.tenet/passkeys';
export const REGISTRATION_OPTIONS_PATH = '/.tenet/passkeys/registration/options';
export const REGISTRATION_VERIFY_PATH = '/.tenet/passkeys/registration/verify';

/** How recent the sign-in must be to register a passkey. */
export const REGISTRATION_MAX_AGE_SECONDS = 10 * 60;
/** How long the browser lets the user take (WebAuthn Level 3 §5.4 timeout, a hint). */
const CEREMONY_TIMEOUT_MS = 60_000;
/** An AAGUID of zeros means "not attested" (WebAuthn Level 3 §6.5.1), not a model. */
const NO_AAGUID = '00000000-0000-0000-0000-000000000000';

/** True when the session's sign-in happened within REGISTRATION_MAX_AGE_SECONDS (an unknown sign-in time is not recent). */
export function recentlySignedIn(session: SessionRecord, now: Date): boolean {
  const at = session.authn.authenticatedAt === undefined ? Number.NaN : Date.parse(session.authn.authenticatedAt);
  return now.getTime() - at <= REGISTRATION_MAX_AGE_SECONDS * 1000;
}

/** The login URL that signs the user in afresh (max_age=0 → prompt=login) and comes back to the passkey page. */
export function freshSignInHref(rp: RelyingParty, session: SessionRecord | undefined): string {
  const query = new URLSearchParams({ rd: `${rp.origin}${MANAGE_PATH}` });
  if (session !== undefined) {
    query.set('provider', session.identity.providerId);
    query.set('step_up', '1');
    query.set('max_age', '0');
  }
  return `${LOGIN_PATH}?${query.toString()}`;
}

/**
 * The WebAuthn user handle (§5.4.3): stable per subject, so an authenticator replaces the user's
 * earlier discoverable credential instead of piling them up, and no personal data (§14.6.1).
 */
function userHandle(session: SessionRecord): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(entityKey(session.identity.subject), 'utf8').digest());
}

/** The session, signed in recently; otherwise the refusal has been sent and the result is undefined. */
async function recentSession(context: PasskeyContext, rp: RelyingParty, { res, facts }: PasskeyRequest): Promise<SessionRecord | undefined> {
  const session = await publicSession(context, facts);
  if (session === undefined) {
    answerJsonError(res, 401, 'login_required', 'sign in first', { login_url: freshSignInHref(rp, undefined) });
    return undefined;
  }
  if (!recentlySignedIn(session, context.now())) {
    answerJsonError(res, 403, 'reauthentication_required', `registering a passkey needs a sign-in from the last ${REGISTRATION_MAX_AGE_SECONDS / 60} minutes`, {
      login_url: freshSignInHref(rp, session),
    });
    return undefined;
  }
  return session;
}

export async function handleRegistrationOptions(context: PasskeyContext, request: PasskeyRequest, rp: RelyingParty): Promise<void> {
  const read = await readJsonRequest(request.req, request.res, request.facts.method, rp.origin);
  if (!read.ok) return;
  const session = await recentSession(context, rp, request);
  if (session === undefined) return;
  const { identity } = session;
  const existing = await context.passkeys.listFor(identity.subject);
  const userName = identity.email ?? identity.subject.id;
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName,
    userID: userHandle(session),
    userDisplayName: identity.name ?? userName,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: [...passkey.transports] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: context.config.userVerification },
  });
  context.challenges.remember(options.challenge, { ceremony: 'registration', sessionId: session.id });
  answerJson(request.res, 200, options);
}

export async function handleRegistrationVerify(context: PasskeyContext, request: PasskeyRequest, rp: RelyingParty): Promise<void> {
  const { res } = request;
  const read = await readJsonRequest(request.req, res, request.facts.method, rp.origin);
  if (!read.ok) return;
  const session = await recentSession(context, rp, request);
  if (session === undefined) return;
  const parsed = registrationVerifyBody.safeParse(read.body);
  if (!parsed.success) return answerJsonError(res, 400, 'invalid_request', firstIssue(parsed.error));
  const { name, response } = parsed.data;
  const challenge = signedChallenge(response.response.clientDataJSON);
  const pending = challenge === undefined ? undefined : context.challenges.take(challenge, 'registration', session.id);
  if (challenge === undefined || pending === undefined) {
    return answerJsonError(res, 400, 'invalid_challenge', 'this registration expired or was already used; start again');
  }

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: asRegistrationResponse(response),
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: context.config.userVerification === 'required',
    });
  } catch (error) {
    context.logger.warn({ outcome: 'passkey-registration-refused', subject: entityKey(session.identity.subject), problem: (error as Error).message }, 'passkey registration refused');
    return answerJsonError(res, 400, 'verification_failed', 'the passkey could not be verified');
  }
  if (!verification.verified) return answerJsonError(res, 400, 'verification_failed', 'the passkey could not be verified');
  const info = verification.registrationInfo;
  const credential: PasskeyCredential = {
    id: info.credential.id,
    subject: session.identity.subject,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    ...(info.aaguid === NO_AAGUID ? {} : { aaguid: info.aaguid }),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name,
    createdAt: context.now().toISOString(),
  };
  try {
    await context.passkeys.add(credential);
  } catch (error) {
    if (isTenetError(error) && error.code === 'TENET_ERR_STORE_CONFLICT') return answerJsonError(res, 409, 'already_registered', 'this passkey is already registered');
    throw error;
  }
  context.logger.info(
    { outcome: 'passkey-registered', subject: entityKey(session.identity.subject), credential: credentialLabel(credential.id), deviceType: credential.deviceType, userVerified: info.userVerified },
    'passkey registered',
  );
  answerJson(res, 201, { id: credential.id, name: credential.name });
}
