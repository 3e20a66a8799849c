// OpenID Connect login for the enforcement points (NIST SP 800-207: the PEP establishes who the
// subject is before asking the PDP). `startAuthentication` checks and discovers the configured
// providers and returns the login endpoints (/.tenet/login, callback, hand-off, logout, back-channel
// logout) and the bearer-token authenticator for API clients. A provider that cannot be reached does
// not stop the start: it is retried in the background and, until then, everything that needs it
// fails closed (provider-registry.ts). docs/authentication.md describes the flows.
import type { Logger } from 'pino';
import type { AuthenticationConfig, OidcProviderConfig } from '../../config/enforcement-schema.js';
import { TenetError } from '../../errors.js';
import type { Sessions } from '../../sessions/sessions.js';
import type { SessionStore } from '../../store/ports.js';
import { bearerAuthenticator, type BearerAuthenticator } from './bearer.js';
import { CLOCK_LEEWAY_SECONDS } from './discover-providers.js';
import { LOGOUT_TOKEN_MAX_AGE_SECONDS } from './backchannel-logout-endpoint.js';
import { loginEndpoints, type LoginEndpoints } from './endpoints.js';
import { JtiReplaySet } from './jti-replay.js';
import { startProviderRegistry } from './provider-registry.js';

export type { BearerAuthenticator, BearerResult } from './bearer.js';
export type { LoginEndpoints } from './endpoints.js';
export { LOGIN_ENDPOINT_PATHS } from './endpoints.js';
export { authnFromClaims, identityFromClaims } from './map-claims.js';
export { LOGIN_PATH, CALLBACK_PATH } from './login-endpoint.js';
export { LOGOUT_PATH, LOGGED_OUT_PATH } from './logout-endpoint.js';
export { HANDOFF_PATH } from './handoff-endpoint.js';
export { BACKCHANNEL_LOGOUT_PATH } from './backchannel-logout-endpoint.js';

export interface AuthenticationDeps {
  readonly config: AuthenticationConfig;
  /** proxy.publicUrl: an origin (`https://login.example.com`); the redirect URI is <publicUrl>/.tenet/callback. */
  readonly publicUrl: string;
  readonly sessions: Sessions;
  readonly store: SessionStore;
  /** True when a post-login return URL is one of our own hosts (the lead implements it from the routes). */
  readonly returnToAllowed: (url: URL) => boolean;
  /** Resolves clientSecret / clientSecretFile / clientSecretEnv; undefined for a public client. */
  readonly readSecret: (provider: OidcProviderConfig) => string | undefined;
  readonly logger: Logger;
  readonly clock?: () => Date;
}

export interface AuthenticationService {
  readonly endpoints: LoginEndpoints;
  readonly bearer: BearerAuthenticator;
  /** Stops the background discovery retries (aborting attempts in flight); leaves no timer behind. */
  close(): Promise<void>;
}

/** Most logout-token ids remembered against replay. */
const MAX_REMEMBERED_LOGOUT_TOKENS = 10_000;

/**
 * Checks every provider's configuration (TenetError TENET_ERR_CONFIG_INVALID naming the one that
 * fails: duplicate id or issuer, http:// without allowInsecureHttp, unreadable client secret),
 * tries to discover each once, and builds the endpoints. Providers that could not be discovered are
 * logged and retried in the background until close().
 */
export async function startAuthentication(deps: AuthenticationDeps): Promise<AuthenticationService> {
  const publicUrl = parsePublicUrl(deps.publicUrl);
  const now = deps.clock ?? (() => new Date());
  const providers = await startProviderRegistry({ providers: deps.config.providers, readSecret: deps.readSecret, logger: deps.logger, now });
  const logoutTokens = new JtiReplaySet(MAX_REMEMBERED_LOGOUT_TOKENS, (LOGOUT_TOKEN_MAX_AGE_SECONDS + 2 * CLOCK_LEEWAY_SECONDS) * 1000, () => now().getTime());
  const endpoints = loginEndpoints({
    config: deps.config,
    providers,
    publicBase: publicUrl.origin,
    publicHost: publicUrl.host,
    sessions: deps.sessions,
    store: deps.store,
    returnToAllowed: deps.returnToAllowed,
    logger: deps.logger,
    now,
    logoutTokens,
  });
  return {
    endpoints,
    bearer: bearerAuthenticator(deps.config, providers, now),
    close: async () => {
      providers.close();
      logoutTokens.clear();
    },
  };
}

/** The login endpoints live at the root of every host, so publicUrl must be a bare origin. */
function parsePublicUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw publicUrlError(value, 'is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw publicUrlError(value, 'must be http:// or https://');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw publicUrlError(value, 'must be an origin only, without path, query or user info (e.g. "https://login.example.com")');
  }
  return url;
}

function publicUrlError(value: string, message: string): TenetError {
  return new TenetError('TENET_ERR_CONFIG_INVALID', `proxy.publicUrl "${value}" ${message}.`, [{ path: 'proxy.publicUrl', message }]);
}
