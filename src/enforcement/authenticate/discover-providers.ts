// Discovering the configured OpenID Providers (OpenID Connect Discovery 1.0 §4), in two steps:
//   checkProviders    at start, without the network: unique ids, unique issuers, https:// (or
//                     allowInsecureHttp), a readable client secret. A failure is a configuration
//                     error (TENET_ERR_CONFIG_INVALID naming the provider) and stops the start:
//                     waiting cannot fix it.
//   discoverProvider  one attempt over the network: the provider's metadata, its JWKS location and
//                     the signature algorithms we accept from it. A failure here (provider down,
//                     DNS, TLS, a metadata document we refuse) throws a plain Error; the caller
//                     (provider-registry.ts) logs it and tries again later, because Tenet must
//                     keep serving existing sessions while an identity provider is unreachable.
// The result keeps what login and token checks need: the openid-client configuration, the issuer,
// the provider's JWKS (jose, fetched on first use and cached) and the accepted algorithms.
import * as client from 'openid-client';
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { OidcProviderConfig } from '../../config/enforcement-schema.js';
import { TenetError } from '../../errors.js';

/**
 * Asymmetric JWS algorithms only (RFC 7518 §3, RFC 8037): `none` is never accepted, and HS* is
 * refused because a provider's client secret — or, in the key-confusion attack, its public key —
 * would then be enough to forge tokens (RFC 8725 §2.1, §3.1).
 */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** Clock leeway for exp/nbf/iat/auth_time, in seconds (OIDC Core §3.1.3.7 allows "a small leeway"). */
export const CLOCK_LEEWAY_SECONDS = 60;

/** How long one discovery request may take, in seconds. */
const DISCOVERY_TIMEOUT_SECONDS = 10;

export interface DiscoveredProvider {
  readonly config: OidcProviderConfig;
  readonly client: client.Configuration;
  /** The issuer identifier as the provider's metadata states it (compared exactly with `iss`). */
  readonly issuer: string;
  readonly jwks: JWTVerifyGetKey;
  /** Signature algorithms accepted for this provider's ID and logout tokens. */
  readonly algorithms: readonly string[];
  /** True when the provider has an end_session_endpoint (RP-Initiated Logout 1.0). */
  readonly endSession: boolean;
}

/** A provider whose configuration passed the checks that need no network. */
export interface CheckedProvider {
  readonly config: OidcProviderConfig;
  /** Its place in authentication.providers (for error paths). */
  readonly index: number;
  readonly issuerUrl: URL;
  readonly insecure: boolean;
  /** The client secret; undefined for a public client. Never logged. */
  readonly secret: string | undefined;
}

export interface CheckInput {
  readonly providers: readonly OidcProviderConfig[];
  readonly readSecret: (provider: OidcProviderConfig) => string | undefined;
  readonly logger: Logger;
}

/** The checks that need no network; throws TenetError TENET_ERR_CONFIG_INVALID naming the first provider that fails. */
export function checkProviders(input: CheckInput): CheckedProvider[] {
  const ids = new Set<string>();
  const issuers = new Set<string>();
  return input.providers.map((provider, index) => {
    if (ids.has(provider.id)) {
      throw configError(index, provider, `provider id "${provider.id}" is used twice`, 'give every provider its own id');
    }
    ids.add(provider.id);
    const issuerUrl = new URL(provider.issuer);
    // Back-channel logout and bearer tokens find the provider by `iss`: it must be unambiguous.
    // Issuers that only the discovered metadata reveals as equal are caught by provider-registry.ts.
    if (issuers.has(issuerUrl.href)) {
      throw configError(index, provider, `issuer ${provider.issuer} is configured twice`, 'configure each issuer once');
    }
    issuers.add(issuerUrl.href);
    const insecure = issuerUrl.protocol === 'http:';
    if (insecure && !provider.allowInsecureHttp) {
      throw configError(index, provider, 'the issuer uses http://', 'use an https:// issuer, or set allowInsecureHttp: true for a development IdP on loopback');
    }
    if (insecure) {
      input.logger.warn({ provider: provider.id, issuer: provider.issuer }, 'INSECURE: OpenID provider over plain http:// (allowInsecureHttp); development only');
    }
    let secret: string | undefined;
    try {
      secret = input.readSecret(provider);
    } catch (error) {
      throw configError(index, provider, `the client secret could not be read: ${messageOf(error)}`, 'check clientSecretFile / clientSecretEnv');
    }
    return { config: provider, index, issuerUrl, insecure, secret };
  });
}

/**
 * One discovery attempt. Throws an Error whose message says what failed (never a secret: discovery
 * sends none). `signal` aborts the attempt (the service is closing).
 */
export async function discoverProvider(checked: CheckedProvider, signal: AbortSignal): Promise<DiscoveredProvider> {
  const { config: provider, issuerUrl, insecure, secret } = checked;
  const metadata: Partial<client.ClientMetadata> = { [client.clockTolerance]: CLOCK_LEEWAY_SECONDS };
  if (secret !== undefined) metadata.client_secret = secret;
  let configuration: client.Configuration;
  try {
    configuration = await client.discovery(issuerUrl, provider.clientId, metadata, clientAuthentication(secret), {
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: DISCOVERY_TIMEOUT_SECONDS,
      [client.customFetch]: (url, options) => fetch(url, requestInit(options, signal)),
    });
  } catch (error) {
    throw new Error(`discovery at ${provider.issuer} failed: ${messageOf(error)}`);
  }
  // Only discovery is abortable; later requests (code exchange, UserInfo) use the plain fetch.
  configuration[client.customFetch] = (url, options) => fetch(url, requestInit(options, undefined));
  const server = configuration.serverMetadata();
  if (server.jwks_uri === undefined) {
    throw new Error('the provider metadata has no jwks_uri, so ID token signatures cannot be checked');
  }
  const jwksUrl = new URL(server.jwks_uri);
  if (jwksUrl.protocol !== 'https:' && !(jwksUrl.protocol === 'http:' && provider.allowInsecureHttp)) {
    throw new Error(`the jwks_uri ${server.jwks_uri} is not https://`);
  }
  const advertised = server.id_token_signing_alg_values_supported;
  const algorithms = advertised === undefined ? ASYMMETRIC_ALGORITHMS : ASYMMETRIC_ALGORITHMS.filter((alg) => advertised.includes(alg));
  if (algorithms.length === 0) {
    throw new Error(`the provider signs ID tokens only with ${advertised?.join(', ') ?? 'nothing'}; Tenet accepts ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  }
  return {
    config: provider,
    client: configuration,
    issuer: server.issuer,
    jwks: createRemoteJWKSet(jwksUrl),
    algorithms,
    endSession: server.end_session_endpoint !== undefined,
  };
}

/**
 * Confidential clients use client_secret_basic (RFC 6749 §2.3.1: every server MUST support it)
 * unless the provider lists only client_secret_post; public clients authenticate with PKCE alone.
 */
function clientAuthentication(secret: string | undefined): client.ClientAuth {
  if (secret === undefined) return client.None();
  const basic = client.ClientSecretBasic(secret);
  const post = client.ClientSecretPost(secret);
  return (server, clientMetadata, body, headers) => {
    const methods = server.token_endpoint_auth_methods_supported;
    const usePost = methods !== undefined && !methods.includes('client_secret_basic') && methods.includes('client_secret_post');
    (usePost ? post : basic)(server, clientMetadata, body, headers);
  };
}

/** openid-client's fetch options as RequestInit, also aborted by `closing` when given. */
function requestInit(options: client.CustomFetchOptions, closing: AbortSignal | undefined): RequestInit {
  const signals = [options.signal, closing].filter((signal) => signal !== undefined);
  return {
    body: options.body ?? null,
    headers: options.headers,
    method: options.method,
    redirect: options.redirect,
    ...(options.duplex !== undefined ? { duplex: options.duplex } : {}),
    ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
  };
}

function configError(index: number, provider: OidcProviderConfig, message: string, hint: string): TenetError {
  return new TenetError('TENET_ERR_CONFIG_INVALID', `OpenID provider "${provider.id}": ${message}.`, [
    { path: `authentication.providers[${index}]`, message, hint },
  ]);
}

/** An error's message with its cause's message (openid-client puts the network error there). */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
