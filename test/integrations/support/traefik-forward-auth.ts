// Traefik's ForwardAuth middleware as it behaves on the wire (traefik pkg/middlewares/auth/
// forward.go: writeHeader and ServeHTTP), so the documented Traefik configuration can be checked
// against Tenet without a Traefik binary (Debian does not package it).
//   request to the auth server: GET <address>; the client's headers copied minus hop-by-hop ones;
//     X-Forwarded-For = the client's address (prior values kept only with trustForwardHeader);
//     X-Forwarded-Method / -Proto / -Host / -Uri from the original request (or, with
//     trustForwardHeader, the client's own values); Host = the address's host (Go's client).
//   2xx: for each authResponseHeaders name, delete the client's header, then copy the answer's.
//   otherwise: the answer (status, headers, body, Location) goes back to the client.
import { send, type RawResponse } from '../../../src/enforcement/forward-auth/testing/http-client.js';

export interface TraefikForwardAuthConfig {
  readonly address: string;
  readonly trustForwardHeader: boolean;
  readonly authResponseHeaders: readonly string[];
}

export interface ClientRequest {
  readonly method: string;
  /** Request-URI as received (path and query). */
  readonly uri: string;
  readonly host: string;
  readonly tls: boolean;
  readonly remoteIp: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type ForwardAuthOutcome =
  | { readonly kind: 'forward'; readonly headers: Record<string, string> }
  | { readonly kind: 'respond'; readonly response: RawResponse };

// oxy's forward.HopHeaders.
const HOP_HEADERS = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers', 'transfer-encoding', 'upgrade'];

const canonical = (name: string): string => name.toLowerCase().replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());

function get(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

export function forwardRequestHeaders(config: TraefikForwardAuthConfig, client: ClientRequest): Record<string, string> {
  const address = new URL(config.address);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(client.headers)) {
    if (!HOP_HEADERS.includes(name.toLowerCase())) headers[canonical(name)] = value;
  }
  const priorFor = get(client.headers, 'x-forwarded-for');
  headers['X-Forwarded-For'] = config.trustForwardHeader && priorFor !== undefined ? `${priorFor}, ${client.remoteIp}` : client.remoteIp;
  const pick = (name: string, own: string): string => {
    const sent = get(client.headers, name);
    return config.trustForwardHeader && sent !== undefined && sent !== '' ? sent : own;
  };
  headers['X-Forwarded-Method'] = pick('x-forwarded-method', client.method);
  headers['X-Forwarded-Proto'] = pick('x-forwarded-proto', client.tls ? 'https' : 'http');
  headers['X-Forwarded-Host'] = pick('x-forwarded-host', client.host);
  headers['X-Forwarded-Uri'] = pick('x-forwarded-uri', client.uri);
  headers.Host = address.host;
  headers['Accept-Encoding'] ??= 'gzip';
  return headers;
}

/** Runs the middleware against the auth server at `config.address` (reached on `port` of 127.0.0.1). */
export async function traefikForwardAuth(config: TraefikForwardAuthConfig, port: number, client: ClientRequest): Promise<ForwardAuthOutcome> {
  const address = new URL(config.address);
  const response = await send(port, { method: 'GET', path: `${address.pathname}${address.search}`, headers: forwardRequestHeaders(config, client) });
  if (response.status < 200 || response.status >= 300) return { kind: 'respond', response };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(client.headers)) headers[canonical(name)] = value;
  for (const name of config.authResponseHeaders) {
    const key = canonical(name);
    delete headers[key];
    const answered = response.headers[key.toLowerCase()];
    if (answered !== undefined) headers[key] = Array.isArray(answered) ? answered.join(', ') : answered;
  }
  return { kind: 'forward', headers };
}
