// Transmitter discovery (SSF 1.0 §7): reads the transmitter's configuration metadata from its
// well-known URL, checks that it names the configured issuer (§7.2.3: otherwise the document may
// be a different transmitter's, and keys from it must not be trusted for this one), and builds the
// key source for its SETs from `jwks_uri` (jose's remote JWKS: cached, re-fetched on an unknown
// `kid` at most once per cooldown, never on every SET).
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { TenetError } from '../../errors.js';
import { callTransmitter, requireTransmitterUrl } from './transmitter-http.js';

export const PUSH_DELIVERY = 'urn:ietf:rfc:8935';
export const POLL_DELIVERY = 'urn:ietf:rfc:8936';

const metadataSchema = z.object({
  spec_version: z.string().optional(),
  issuer: z.string().min(1),
  jwks_uri: z.string().min(1),
  delivery_methods_supported: z.array(z.string()).default([]),
  configuration_endpoint: z.string().min(1).optional(),
  status_endpoint: z.string().min(1).optional(),
  verification_endpoint: z.string().min(1).optional(),
});

export interface TransmitterMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly deliveryMethodsSupported: readonly string[];
  readonly configurationEndpoint?: string;
  readonly statusEndpoint?: string;
  readonly verificationEndpoint?: string;
}

export interface DiscoveredTransmitter {
  readonly metadata: TransmitterMetadata;
  readonly keys: JWTVerifyGetKey;
}

/**
 * SSF 1.0 §7.2.1 builds the URL as RFC 8414 §3.1 does: the well-known segment goes between the
 * host and the issuer's path (`https://t.example/tenant` → `https://t.example/.well-known/ssf-configuration/tenant`).
 */
export function wellKnownUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/ssf-configuration${path}`;
}

export async function discoverTransmitter(issuer: string, options: { readonly allowInsecureHttp: boolean; readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<DiscoveredTransmitter> {
  const response = await callTransmitter({ method: 'GET', url: wellKnownUrl(issuer), timeoutMs: options.timeoutMs, allowInsecureHttp: options.allowInsecureHttp, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  if (response.status !== 200) throw new TenetError('TENET_ERR_INTERNAL_SSF_DISCOVERY_FAILED', `the SSF configuration of ${issuer} answered HTTP ${response.status}`);
  const parsed = metadataSchema.safeParse(response.json);
  if (!parsed.success) throw new TenetError('TENET_ERR_INTERNAL_SSF_DISCOVERY_FAILED', `the SSF configuration of ${issuer} is not valid transmitter metadata: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const data = parsed.data;
  if (data.issuer !== issuer) throw new TenetError('TENET_ERR_INTERNAL_SSF_DISCOVERY_FAILED', `the SSF configuration at ${issuer} names another issuer (${data.issuer}); refusing it`);
  const jwksUrl = requireTransmitterUrl(data.jwks_uri, options.allowInsecureHttp, `jwks_uri of ${issuer}`);
  for (const endpoint of [data.configuration_endpoint, data.status_endpoint, data.verification_endpoint]) {
    if (endpoint !== undefined) requireTransmitterUrl(endpoint, options.allowInsecureHttp, `an endpoint of ${issuer}`);
  }
  return {
    metadata: {
      issuer: data.issuer,
      jwksUri: data.jwks_uri,
      deliveryMethodsSupported: data.delivery_methods_supported,
      ...(data.configuration_endpoint === undefined ? {} : { configurationEndpoint: data.configuration_endpoint }),
      ...(data.status_endpoint === undefined ? {} : { statusEndpoint: data.status_endpoint }),
      ...(data.verification_endpoint === undefined ? {} : { verificationEndpoint: data.verification_endpoint }),
    },
    keys: createRemoteJWKSet(jwksUrl, { timeoutDuration: options.timeoutMs, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }),
  };
}
