// GET /.tenet/login?rd=<absolute URL>[&provider=<id>][&step_up=1&max_age=<s>&phr=1]
// Starts an authorization code flow with PKCE (RFC 7636, S256), state (RFC 6749 §10.12) and nonce
// (OIDC Core §3.1.2.1). Steps, in order:
//   checkReturnTo      rd must be one of our hosts, written plainly (never an open redirect)
//   moveToPublicHost   the binding cookie must live on the publicUrl host, so go there first
//   chooseProvider     several providers and none named → a choice page
//   providerReady      a provider not discovered (yet) → 503 "unavailable" (tries to discover it first)
//   saveLoginState     state/nonce/verifier/rd/step-up in the store under sha256(state), 10 minutes
//   redirect           binding cookie set, 302 to the provider's authorization endpoint
import * as client from 'openid-client';
import { sha256Hex } from '../../sessions/sessions.js';
import type { LoginState } from '../../sessions/session.js';
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import type { EndpointContext, EndpointRequest } from './endpoint-context.js';
import { answerMethodNotAllowed, answerPage, answerRedirect } from './http-answers.js';
import { bindingFor, LOGIN_BINDING_SECONDS, setBindingCookie } from './login-binding-cookie.js';
import { checkReturnTo } from './return-to.js';
import { answerProviderUnavailable } from './provider-unavailable.js';
import { parseStepUp, stepUpParameters } from './step-up.js';

export const LOGIN_PATH = '/.tenet/login';
export const CALLBACK_PATH = '/.tenet/callback';

export async function handleLogin(context: EndpointContext, { res, facts, query }: EndpointRequest): Promise<void> {
  if (facts.method !== 'GET') return answerMethodNotAllowed(res, ['GET']);
  const returnTo = checkReturnTo(single(query, 'rd'), context.returnToAllowed);
  if (!returnTo.ok) {
    context.logger.warn({ outcome: 'login-refused', reason: 'return-address' }, 'login refused: return address not allowed');
    return answerPage(res, 400, 'Sign-in link not accepted', [
      { text: returnTo.problem },
      { text: 'For your safety this sign-in does not continue. Go back to the application and follow its sign-in link again.' },
    ]);
  }
  const stepUp = parseStepUp(query);
  if ('problem' in stepUp) return answerPage(res, 400, 'Sign-in link not accepted', [{ text: stepUp.problem }]);

  if (facts.host !== context.publicHost) {
    // The login-binding cookie is a __Host- cookie: it must be set and read on the publicUrl host,
    // where the provider sends the user back.
    return answerRedirect(res, `${context.publicBase}${LOGIN_PATH}?${query.toString()}`);
  }

  const providers = context.providers.configured;
  if (providers.length === 0) {
    return answerPage(res, 503, 'Sign-in unavailable', [{ text: 'No identity provider is configured for this deployment.' }]);
  }
  const chosen = single(query, 'provider');
  let config: OidcProviderConfig | undefined;
  if (chosen !== undefined) {
    config = context.providers.byId(chosen)?.config;
    if (config === undefined) return answerPage(res, 400, 'Unknown identity provider', [{ text: `There is no identity provider "${chosen}" here.` }]);
  } else if (providers.length === 1) {
    config = providers[0];
  } else {
    // Every configured provider is offered, discovered or not: one that is down answers 503 when chosen.
    return answerPage(res, 200, 'Choose how to sign in', [
      { text: 'Sign in with:' },
      {
        links: providers.map((candidate) => {
          const next = new URLSearchParams(query);
          next.set('provider', candidate.id);
          return { href: `${LOGIN_PATH}?${next.toString()}`, label: candidate.name ?? candidate.id };
        }),
      },
    ]);
  }
  if (config === undefined) return answerPage(res, 400, 'Unknown identity provider', [{ text: 'No identity provider could be chosen.' }]);
  const provider = await context.providers.whenDiscovered(config.id);
  if (provider === undefined) {
    context.logger.warn({ provider: config.id, outcome: 'login-refused', reason: 'provider-unavailable' }, 'login refused: identity provider unavailable');
    return answerProviderUnavailable(res, config);
  }

  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const binding = bindingFor(facts.cookie);
  const now = context.now();
  const record: LoginState = {
    id: sha256Hex(state),
    providerId: provider.config.id,
    nonce,
    codeVerifier,
    returnTo: returnTo.url.href,
    browserBinding: binding.digest,
    ...(stepUp.stepUp !== undefined ? { stepUp: stepUp.stepUp } : {}),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + LOGIN_BINDING_SECONDS * 1000).toISOString(),
  };
  await context.store.putLoginState(record);

  const scopes = ['openid', ...provider.config.scopes.filter((scope) => scope !== 'openid')];
  const parameters: Record<string, string> = {
    redirect_uri: `${context.publicBase}${CALLBACK_PATH}`,
    scope: [...new Set(scopes)].join(' '),
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(stepUp.stepUp !== undefined ? stepUpParameters(provider.config, stepUp.stepUp) : {}),
  };
  const authorizationUrl = client.buildAuthorizationUrl(provider.client, parameters);
  context.logger.info({ provider: provider.config.id, outcome: 'login-started', stepUp: stepUp.stepUp !== undefined }, 'login started');
  answerRedirect(res, authorizationUrl.href, { setCookies: [setBindingCookie(binding.value)] });
}

/** A parameter given exactly once; absent or repeated parameters are undefined (a repeated one is ambiguous). */
export function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}
