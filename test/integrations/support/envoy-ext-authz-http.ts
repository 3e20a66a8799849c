// Envoy's ext_authz HTTP filter in HTTP-service mode as it behaves on the wire, so the documented
// configuration can be checked against Tenet without an Envoy binary (Debian does not package it):
//   the HTTP connection manager (use_remote_address: true) first sets x-forwarded-proto to the
//   downstream scheme and appends the downstream address to x-forwarded-for;
//   check request: the original method, path_prefix + the original path and query, Host,
//   Content-Length: 0, Authorization, and the client headers matching allowed_headers;
//   200: headers matching allowed_upstream_headers are set on the request (overriding), the names in
//   x-envoy-auth-headers-to-remove are removed; any other status goes back to the client.
import { send, type RawResponse } from '../../../src/enforcement/forward-auth/testing/http-client.js';

export interface StringMatcher {
  readonly exact?: string;
  readonly prefix?: string;
}

export interface EnvoyHttpExtAuthz {
  readonly allowedHeaders: readonly StringMatcher[];
  readonly pathPrefix: string;
  readonly allowedUpstreamHeaders: readonly StringMatcher[];
}

export interface DownstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  readonly tls: boolean;
  readonly remoteIp: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

export type EnvoyOutcome = { readonly kind: 'forward'; readonly headers: Record<string, string> } | { readonly kind: 'respond'; readonly response: RawResponse };

const matches = (name: string, matchers: readonly StringMatcher[]): boolean =>
  matchers.some((matcher) => (matcher.exact !== undefined && name === matcher.exact) || (matcher.prefix !== undefined && name.startsWith(matcher.prefix)));

const ALWAYS_SENT = ['authorization'];

export async function envoyHttpExtAuthz(config: EnvoyHttpExtAuthz, port: number, downstream: DownstreamRequest): Promise<EnvoyOutcome> {
  // HCM with use_remote_address: Envoy's own view of the scheme and client.
  const request: Record<string, string> = { ...downstream.headers };
  request['x-forwarded-proto'] = downstream.tls ? 'https' : 'http';
  request['x-forwarded-for'] = request['x-forwarded-for'] === undefined ? downstream.remoteIp : `${request['x-forwarded-for']}, ${downstream.remoteIp}`;

  const check: Record<string, string> = { host: downstream.authority, 'content-length': '0' };
  for (const [name, value] of Object.entries(request)) {
    if (ALWAYS_SENT.includes(name) || matches(name, config.allowedHeaders)) check[name] = value;
  }
  const response = await send(port, { method: downstream.method, path: `${config.pathPrefix}${downstream.path}`, headers: check });
  if (response.status !== 200) return { kind: 'respond', response };
  const upstream = { ...request };
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && matches(name, config.allowedUpstreamHeaders)) upstream[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const remove = response.headers['x-envoy-auth-headers-to-remove'];
  for (const name of (typeof remove === 'string' ? remove : '').split(',').map((one) => one.trim().toLowerCase())) {
    if (name !== '') delete upstream[name];
  }
  return { kind: 'forward', headers: upstream };
}
