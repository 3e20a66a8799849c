// GET /.tenet/callback — the OIDC redirect URI (<publicUrl>/.tenet/callback). Steps, in order:
//   takeLoginState     the state is single use; unknown or expired → 400, no session
//   checkBinding       the browser that returns must be the one that started (login CSRF) → else 400
//   providerError      `error=` from the provider (RFC 6749 §4.1.2.1) → 400 naming it
//   providerReady      the state's provider not discovered (yet) → 503 "unavailable"
//   exchangeCode       openid-client: state, iss (RFC 9207), PKCE, nonce, aud, exp, azp checks
//   verifyIdToken      jose: signature with the provider's JWKS and the algorithm allow-list
//   mapClaims          ID token (+ UserInfo, OIDC Core §5.3) → SessionIdentity and Authentication
//   checkStepUp        a step-up must really be met by the new token → else 403
//   startSession       a new session bound to the publicUrl host (rotation: session-rotation.ts)
//   returnOrHandOff    rd on the publicUrl host → rd; another host → a one-time hand-off code there
import * as client from 'openid-client';
import { isTenetError } from '../../errors.js';
import { sha256Hex } from '../../sessions/sessions.js';
import type { LoginState, SessionIdentity } from '../../sessions/session.js';
import type { Authentication } from '../../engine/tuple.js';
import type { DiscoveredProvider } from './discover-providers.js';
import { sessionLabel, type EndpointContext, type EndpointRequest } from './endpoint-context.js';
import { answerMethodNotAllowed, answerPage, answerRedirect } from './http-answers.js';
import { HANDOFF_PATH } from './handoff-endpoint.js';
import { bindingMatches, clearBindingCookie } from './login-binding-cookie.js';
import { CALLBACK_PATH, LOGIN_PATH, single } from './login-endpoint.js';
import { authnFromClaims, identityFromClaims } from './map-claims.js';
import type { PageBlock } from './pages.js';
import { answerProviderUnavailable } from './provider-unavailable.js';
import { rotateLogin } from './session-rotation.js';
import { unmetStepUp } from './step-up.js';
import { verifyIdToken } from './verify-id-token.js';

const MAX_PROVIDER_TEXT = 300;

export async function handleCallback(context: EndpointContext, request: EndpointRequest): Promise<void> {
  const { res, facts, query } = request;
  if (facts.method !== 'GET') return answerMethodNotAllowed(res, ['GET']);
  // "Start again" goes back through the login with the same return address once it is known.
  let startAgain: PageBlock = { text: 'Go back to the application and sign in again.' };
  const refuse = (reason: string, text: string, providerId?: string): void => {
    context.logger.warn({ provider: providerId, outcome: 'callback-refused', reason }, 'login callback refused');
    answerPage(res, 400, 'Sign-in did not complete', [{ text }, startAgain]);
  };
  if (facts.host !== context.publicHost) return refuse('wrong-host', 'This sign-in answer arrived at the wrong address.');

  const state = single(query, 'state');
  if (state === undefined) return refuse('no-state', 'The identity provider\'s answer is missing its state parameter.');
  const login = await context.store.takeLoginState(sha256Hex(state), context.now().toISOString());
  if (login === undefined) {
    return refuse('unknown-state', 'This sign-in has expired or was already completed (each sign-in link works once, for 10 minutes).');
  }
  startAgain = { link: { href: loginAgainHref(login), label: 'Start again' } };
  if (!bindingMatches(facts.cookie, login.browserBinding)) {
    return refuse('binding-mismatch', 'This sign-in was started in another browser, or this browser did not keep its sign-in cookie.', login.providerId);
  }
  const providerError = single(query, 'error');
  if (providerError !== undefined) {
    const description = single(query, 'error_description');
    return refuse('provider-error', `The identity provider did not sign you in: ${truncate(providerError)}${description !== undefined ? ` — ${truncate(description)}` : ''}.`, login.providerId);
  }
  const entry = context.providers.byId(login.providerId);
  if (entry === undefined) return refuse('unknown-provider', 'The identity provider this sign-in started with is no longer configured.', login.providerId);
  const provider = await context.providers.whenDiscovered(login.providerId);
  if (provider === undefined) {
    // The state is spent; the user starts again once the provider is back (e.g. Tenet restarted during an outage).
    context.logger.warn({ provider: login.providerId, outcome: 'callback-refused', reason: 'provider-unavailable' }, 'login callback refused: identity provider unavailable');
    return answerProviderUnavailable(res, entry.config, [startAgain]);
  }

  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(provider.client, new URL(`${context.publicBase}${CALLBACK_PATH}?${query.toString()}`), {
      pkceCodeVerifier: login.codeVerifier,
      expectedNonce: login.nonce,
      expectedState: state,
      idTokenExpected: true,
    });
  } catch (error) {
    context.logger.warn({ provider: provider.config.id, outcome: 'code-exchange-failed', problem: describeClientError(error) }, 'login callback: code exchange failed');
    return answerPage(res, 400, 'Sign-in did not complete', [{ text: 'The identity provider\'s answer could not be verified, so you are not signed in.' }, startAgain]);
  }
  const idToken = tokens.id_token;
  const now = context.now();
  const verified = idToken === undefined ? { ok: false as const, problem: 'no ID token' } : await verifyIdToken(provider, idToken, now);
  if (!verified.ok || idToken === undefined) {
    return refuse(`id-token: ${verified.ok ? 'missing' : verified.problem}`, 'The identity provider\'s ID token could not be verified, so you are not signed in.', provider.config.id);
  }

  let profile: Record<string, unknown>;
  try {
    profile = await userInfo(provider, tokens.access_token, verified.claims);
  } catch (error) {
    context.logger.warn({ provider: provider.config.id, outcome: 'userinfo-failed', problem: describeClientError(error) }, 'login callback: UserInfo failed');
    return answerPage(res, 502, 'Sign-in did not complete', [{ text: 'Your profile could not be fetched from the identity provider.' }, startAgain]);
  }
  let identity: SessionIdentity;
  let authn: Authentication;
  try {
    identity = identityFromClaims(provider.config, profile);
    // How the user authenticated is stated by the ID token only (amr, acr, auth_time).
    authn = authnFromClaims(provider.config, verified.claims, now);
  } catch (error) {
    if (!isTenetError(error)) throw error;
    return refuse('claims', `${error.message} Ask your administrator to check the claim mapping.`, provider.config.id);
  }

  if (login.stepUp !== undefined) {
    const unmet = unmetStepUp(login.stepUp, authn, new Date(login.createdAt));
    if (unmet !== undefined) {
      context.logger.warn({ provider: provider.config.id, outcome: 'step-up-unmet' }, 'login callback: step-up requirement not met');
      return answerPage(res, 403, 'Stronger sign-in needed', [{ text: unmet }, { link: { href: loginAgainHref(login), label: 'Sign in again with a stronger method' } }]);
    }
  }

  const loginId = await rotateLogin(context, facts, identity);
  const { secret, record } = await context.sessions.start({ identity, authn, host: context.publicHost, idToken, ...(loginId !== undefined ? { loginId } : {}) });
  context.logger.info({ provider: provider.config.id, outcome: 'login', session: sessionLabel(record.id), stepUp: login.stepUp !== undefined }, 'login completed');
  const cookies = [context.sessions.setCookie(secret, record), clearBindingCookie()];

  const returnTo = new URL(login.returnTo);
  if (returnTo.host === context.publicHost) return answerRedirect(res, returnTo.href, { setCookies: cookies });
  // __Host- cookies cannot be shared between hosts: hand the login over with a one-time code.
  const code = await context.sessions.issueHandoff(record, returnTo.host, returnTo.href);
  answerRedirect(res, `${returnTo.origin}${HANDOFF_PATH}?code=${encodeURIComponent(code)}`, { setCookies: cookies });
}

/** ID token claims completed by UserInfo when the provider has it (many put groups and email only there). ID token claims win. */
async function userInfo(provider: DiscoveredProvider, accessToken: string | undefined, idClaims: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (provider.client.serverMetadata().userinfo_endpoint === undefined || accessToken === undefined || typeof idClaims.sub !== 'string') return idClaims;
  // fetchUserInfo checks UserInfo's sub equals the ID token's (OIDC Core §5.3.2).
  const info = await client.fetchUserInfo(provider.client, accessToken, idClaims.sub);
  return { ...info, ...idClaims };
}

/** The login URL that repeats this attempt: same return address, provider and step-up requirement. */
function loginAgainHref(login: LoginState): string {
  const query = new URLSearchParams({ rd: login.returnTo, provider: login.providerId });
  if (login.stepUp !== undefined) {
    query.set('step_up', '1');
    query.set('max_age', String(login.stepUp.maxAgeSeconds));
    if (login.stepUp.phishingResistant) query.set('phr', '1');
  }
  return `${LOGIN_PATH}?${query.toString()}`;
}

function truncate(text: string): string {
  return text.length > MAX_PROVIDER_TEXT ? `${text.slice(0, MAX_PROVIDER_TEXT)}…` : text;
}

/** openid-client's error message and code only: their `cause` may hold claims or response bodies. */
function describeClientError(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return `${error.message}: ${error.error}`;
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.message} (${error.code})` : error.message;
  return 'unknown error';
}
