// Discovers every configured OpenID Provider at start (OpenID Connect Discovery 1.0 §4) and keeps
// what login and token checks need: the openid-client configuration, the issuer, the provider's
// JWKS (jose, fetched on first use and cached) and the signature algorithms we accept from it.
// A provider that cannot be discovered stops the start with a config error naming it: failing
// later, at a user's login, would hide the misconfiguration until someone needs to sign in.
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

export interface ProviderRegistry {
  /** In configuration order; the first is the default. */
  readonly all: readonly DiscoveredProvider[];
  byId(id: string): DiscoveredProvider | undefined;
  byIssuer(issuer: string): DiscoveredProvider | undefined;
}

export interface DiscoveryInput {
  readonly providers: readonly OidcProviderConfig[];
  readonly readSecret: (provider: OidcProviderConfig) => string | undefined;
  readonly logger: Logger;
}

/** Discovers every provider; throws TenetError TENET_ERR_CONFIG_INVALID naming the first that fails. */
export async function discoverProviders(input: DiscoveryInput): Promise<ProviderRegistry> {
  const seen = new Set<string>();
  input.providers.forEach((provider, index) => {
    if (seen.has(provider.id)) {
      throw configError(index, provider, `provider id "${provider.id}" is used twice`, 'give every provider its own id');
    }
    seen.add(provider.id);
  });
  const all = await Promise.all(input.providers.map((provider, index) => discoverOne(provider, index, input)));
  const issuers = new Map<string, DiscoveredProvider>();
  all.forEach((provider, index) => {
    if (issuers.has(provider.issuer)) {
      // Back-channel logout and bearer tokens find the provider by `iss`: it must be unambiguous.
      throw configError(index, provider.config, `issuer ${provider.issuer} is configured twice`, 'configure each issuer once');
    }
    issuers.set(provider.issuer, provider);
  });
  const ids = new Map(all.map((provider) => [provider.config.id, provider]));
  return { all, byId: (id) => ids.get(id), byIssuer: (issuer) => issuers.get(issuer) };
}

async function discoverOne(provider: OidcProviderConfig, index: number, input: DiscoveryInput): Promise<DiscoveredProvider> {
  const issuerUrl = new URL(provider.issuer);
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
  const metadata: Partial<client.ClientMetadata> = { [client.clockTolerance]: CLOCK_LEEWAY_SECONDS };
  if (secret !== undefined) metadata.client_secret = secret;
  let configuration: client.Configuration;
  try {
    configuration = await client.discovery(issuerUrl, provider.clientId, metadata, clientAuthentication(secret), {
      execute: insecure ? [client.allowInsecureRequests] : [],
      timeout: 10,
    });
  } catch (error) {
    throw configError(index, provider, `discovery at ${provider.issuer} failed: ${messageOf(error)}`, 'check the issuer URL and that the provider is reachable');
  }
  const server = configuration.serverMetadata();
  if (server.jwks_uri === undefined) {
    throw configError(index, provider, 'the provider metadata has no jwks_uri', 'ID token signatures cannot be checked without it');
  }
  const jwksUrl = new URL(server.jwks_uri);
  if (jwksUrl.protocol !== 'https:' && !(jwksUrl.protocol === 'http:' && provider.allowInsecureHttp)) {
    throw configError(index, provider, `the jwks_uri ${server.jwks_uri} is not https://`, 'use an https:// provider');
  }
  const advertised = server.id_token_signing_alg_values_supported;
  const algorithms = advertised === undefined ? ASYMMETRIC_ALGORITHMS : ASYMMETRIC_ALGORITHMS.filter((alg) => advertised.includes(alg));
  if (algorithms.length === 0) {
    throw configError(index, provider, `the provider signs ID tokens only with ${advertised?.join(', ') ?? 'nothing'}`, `Tenet accepts ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  }
  input.logger.info({ provider: provider.id, issuer: server.issuer }, 'OpenID provider discovered');
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

function configError(index: number, provider: OidcProviderConfig, message: string, hint: string): TenetError {
  return new TenetError('TENET_ERR_CONFIG_INVALID', `OpenID provider "${provider.id}": ${message}.`, [
    { path: `authentication.providers[${index}]`, message, hint },
  ]);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
