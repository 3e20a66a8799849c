// POST /.tenet/backchannel-logout — OpenID Connect Back-Channel Logout 1.0. The provider posts a
// signed logout token naming a user (`sub`) and/or one of its sessions (`sid`); every matching
// Tenet session of that provider is revoked. Validation follows §2.6, in order:
//   findProvider     by the token's `iss` (the provider's keys are chosen by it, then verified);
//                    a provider not discovered yet (unreachable) → 400 "… is unavailable"
//   verifyJwt        signature (provider JWKS, asymmetric allow-list), iss, aud = clientId, iat
//                    recent, exp when present, explicit type logout+jwt when typed (RFC 8725 §3.11)
//   checkClaims      `events` has the back-channel-logout member, `sub` and/or `sid`, no `nonce`
//                    (§2.4: forbidden, so an ID token can never pass as a logout token)
//   rejectReplay     a `jti` seen within the token lifetime is refused
//   revoke           sessions.endByIdp
// Answers (§2.8): 200 with Cache-Control: no-store, or 400 with an OAuth-style JSON error.
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { CLOCK_LEEWAY_SECONDS, type DiscoveredProvider } from './discover-providers.js';
import type { EndpointContext, EndpointRequest } from './endpoint-context.js';
import { readFormBody } from './form-body.js';
import { answerJson } from './http-answers.js';
import { joseProblem, providerOfToken } from './verify-id-token.js';

export const BACKCHANNEL_LOGOUT_PATH = '/.tenet/backchannel-logout';
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old a logout token may be (its iat); a few minutes covers delivery retries. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;
const MAX_BODY_BYTES = 64 * 1024;

export async function handleBackchannelLogout(context: EndpointContext, { req, res, facts }: EndpointRequest): Promise<void> {
  const refuse = (problem: string, providerId?: string): void => {
    context.logger.warn({ provider: providerId, outcome: 'backchannel-logout-refused', problem }, 'back-channel logout refused');
    answerJson(res, 400, { error: 'invalid_request', error_description: problem });
  };
  if (facts.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return answerJson(res, 405, { error: 'invalid_request', error_description: 'use POST' });
  }
  const body = await readFormBody(req, MAX_BODY_BYTES);
  if (!body.ok) return refuse(body.problem);
  const tokens = body.form.getAll('logout_token');
  if (tokens.length !== 1 || tokens[0] === undefined || tokens[0] === '') return refuse('exactly one logout_token is required');
  const token = tokens[0];

  const found = providerOfToken(token, context.providers);
  let provider: DiscoveredProvider | undefined;
  if ('problem' in found) {
    // A provider not discovered yet is tried once more (it is sending us tokens, so it may be
    // back); otherwise the logout cannot be verified: 400 (§2.8), and the provider may retry.
    if (found.unavailable === undefined) return refuse(found.problem);
    provider = await context.providers.whenDiscovered(found.unavailable.id);
    if (provider === undefined) return refuse(found.problem, found.unavailable.id);
  } else {
    provider = found.provider;
  }

  let claims: JWTPayload;
  try {
    const verified = await jwtVerify(token, provider.jwks, {
      algorithms: [...provider.algorithms],
      issuer: provider.issuer,
      audience: provider.config.clientId,
      requiredClaims: ['iat', 'jti', 'events'],
      maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
      clockTolerance: CLOCK_LEEWAY_SECONDS,
      currentDate: context.now(),
    });
    const typ = verified.protectedHeader.typ;
    if (typ !== undefined && !['logout+jwt', 'application/logout+jwt', 'jwt'].includes(typ.toLowerCase())) {
      return refuse(`a ${typ} token is not a logout token`, provider.config.id);
    }
    claims = verified.payload;
  } catch (error) {
    if (!(error instanceof joseErrors.JOSEError)) throw error;
    return refuse(`the logout token is not valid: ${joseProblem(error)}`, provider.config.id);
  }

  const events = claims.events;
  if (typeof events !== 'object' || events === null || Array.isArray(events)) return refuse('the events claim must be a JSON object', provider.config.id);
  const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return refuse(`the events claim has no ${BACKCHANNEL_LOGOUT_EVENT} member`, provider.config.id);
  if (claims.nonce !== undefined) return refuse('a logout token must not contain a nonce', provider.config.id);
  if (claims.azp !== undefined && claims.azp !== provider.config.clientId) return refuse('the logout token was issued to another client (azp)', provider.config.id);
  const sub = nonEmptyString(claims.sub);
  const sid = nonEmptyString(claims.sid);
  if (claims.sub !== undefined && sub === undefined) return refuse('the sub claim must be a string', provider.config.id);
  if (claims.sid !== undefined && sid === undefined) return refuse('the sid claim must be a string', provider.config.id);
  if (sub === undefined && sid === undefined) return refuse('the logout token names neither a subject (sub) nor a session (sid)', provider.config.id);
  const jti = nonEmptyString(claims.jti);
  if (jti === undefined) return refuse('the jti claim must be a string', provider.config.id);
  if (!context.logoutTokens.firstUse(`${provider.issuer}\n${jti}`)) return refuse('this logout token was already used (jti replay)', provider.config.id);

  const revoked = await context.sessions.endByIdp(provider.config.id, {
    ...(sub !== undefined ? { idpSubject: sub } : {}),
    ...(sid !== undefined ? { idpSessionId: sid } : {}),
  });
  context.logger.info({ provider: provider.config.id, outcome: 'backchannel-logout', by: sid !== undefined ? 'sid' : 'sub', revoked: revoked.length }, 'back-channel logout');
  answerJson(res, 200, undefined);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
