// The oidc-provider 9 configuration of the development IdP. Each setting says why it differs from
// oidc-provider's default; what is not set here is the library's default (discovery, JWKS, PAR,
// DPoP support, userinfo).
import type { Configuration, ClientMetadata, JWK, KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';
import { ACR_VALUES, acrSatisfies, DevAccounts } from './accounts.js';
import { backchannelFetch, type DeliveryOptions } from './backchannel-delivery.js';
import { memoryAdapterFactory, type MemoryStorage } from './memory-adapter.js';
import { errorPage, loggedOutPage, logoutConfirmPage, PAGE_HEADERS } from './pages.js';
import type { DevClient } from './users-file.js';

export interface ProviderSettings {
  readonly accounts: DevAccounts;
  readonly clients: readonly DevClient[];
  /** Private signing JWK (with kid, alg, use). */
  readonly signingKey: JWK;
  /** Secrets that sign oidc-provider's cookies (random per start). */
  readonly cookieKeys: readonly string[];
  readonly storage: MemoryStorage;
  readonly backchannel: DeliveryOptions;
}

/** Path of the interaction (login / consent) pages; `interactions.ts` serves them. */
export const INTERACTION_PATH_PREFIX = '/interaction/';

export function providerConfiguration(settings: ProviderSettings): Configuration {
  return {
    adapter: memoryAdapterFactory(settings.storage),
    clients: settings.clients.map(clientMetadata),
    findAccount: (_ctx, sub) => {
      const user = settings.accounts.bySub(sub);
      return user === undefined ? undefined : { accountId: user.sub, claims: () => ({ ...DevAccounts.claims(user) }) };
    },
    jwks: { keys: [settings.signingKey] },
    cookies: { keys: [...settings.cookieKeys] },
    // Standard scopes (OIDC Core §5.4) plus `groups`. acr, amr and auth_time ride on `openid` so
    // every ID token carries how and when the user authenticated: Tenet's policies read them. The
    // groups claim comes with `profile` too, so Tenet's default scopes (openid email profile) get it.
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'groups'],
      groups: ['groups'],
      sid: null,
    },
    scopes: ['openid'],
    acrValues: [...ACR_VALUES],
    // By default oidc-provider puts scope claims only in userinfo when an access token is issued
    // (OIDC Core §5.4); Tenet reads the ID token, so the claims go there too.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // Client secrets only (RFC 6749 §2.3.1); the other methods have no use in a dev setup.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    // RFC 9700 §2.1.1: PKCE for every client, confidential ones included (S256 is the only method
    // oidc-provider 9 accepts).
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    },
    features: {
      // oidc-provider's built-in demo pages would replace ours; ours are in interactions.ts.
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.set(PAGE_HEADERS);
          ctx.body = logoutConfirmPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.set(PAGE_HEADERS);
          ctx.body = loggedOutPage();
        },
      },
    },
    interactions: {
      policy: interactionPolicyWithAcr(),
      url: (_ctx, interaction) => `${INTERACTION_PATH_PREFIX}${interaction.uid}`,
    },
    renderError: (ctx, out) => {
      ctx.set(PAGE_HEADERS);
      ctx.body = errorPage('Something went wrong', { error: stringOrUndefined(out.error), error_description: stringOrUndefined(out.error_description) });
    },
    // No browser-side (CORS) clients: Tenet calls the token endpoint server to server.
    clientBasedCORS: () => false,
    fetch: backchannelFetch(settings.backchannel),
    // Seconds. Short-lived: a dev IdP has nothing to remember for long.
    ttl: {
      AccessToken: 10 * 60,
      AuthorizationCode: 60,
      IdToken: 10 * 60,
      Interaction: 10 * 60,
      Grant: 8 * 60 * 60,
      Session: 8 * 60 * 60,
      RefreshToken: 8 * 60 * 60,
    },
  };
}

function clientMetadata(client: DevClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    ...(client.backchannelLogoutUri === undefined
      ? {}
      : // Back-Channel Logout 1.0 §2.2: with session_required the logout token, and every ID
        // token, carry `sid`, so the RP can end exactly the session that logged out.
        { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }),
  };
}

/**
 * oidc-provider's default prompts (login, consent), with one more login check: a request whose
 * acr_values the session's authentication does not satisfy asks the user to log in again. OIDC
 * Core §3.1.2.1 makes acr_values voluntary, so after that fresh login the achieved acr is reported
 * even if it is still weaker (the RP decides what to do with it).
 */
function interactionPolicyWithAcr(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (login === undefined) throw new Error('oidc-provider changed: its base interaction policy has no login prompt');
  login.checks.add(
    new interactionPolicy.Check('acr_values', 'the requested authentication context class is not met by the current session', (ctx) => {
      const requested = requestedAcrValues(ctx);
      if (requested.length === 0 || ctx.oidc.result?.login !== undefined) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      return acrSatisfies(ctx.oidc.session?.acr, requested) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

export function requestedAcrValues(ctx: KoaContextWithOIDC): string[] {
  const value = ctx.oidc.params?.['acr_values'];
  return typeof value === 'string' ? value.split(' ').filter(Boolean) : [];
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
