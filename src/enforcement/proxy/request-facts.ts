// HttpRequestFacts from a node:http request, from trusted sources only: scheme, host and client
// address come from the socket, or from X-Forwarded-* when (and only when) the socket peer is a
// configured trusted proxy. The client certificate comes from this connection's TLS handshake only
// (never from a header: the proxy is where TLS ends). Forward-auth and ext_authz reuse this for
// their own callers.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpRequestFacts } from '../access/http-access.js';
import { normalizeHost, originPath } from './request-target.js';
import { canonicalIp, forwardedForAddress, trustedPeers, type TrustedPeerTest } from '../access/trusted-peers.js';
import { tlsClientCertificate } from './tls-client-certificate.js';

/** The socket peer and whether its X-Forwarded-* headers are believed. */
export interface Peer {
  readonly address: string;
  readonly trusted: boolean;
}

export function peerOf(req: IncomingMessage, isTrusted: TrustedPeerTest): Peer {
  const address = canonicalIp(req.socket.remoteAddress ?? '') ?? '';
  return { address, trusted: address !== '' && isTrusted(address) };
}

/**
 * Reads the facts of one request. `host` is "" when the request has no usable Host and `path` is
 * "" when the target is neither origin-form nor absolute-form: callers answer 400 for either.
 */
export function requestFacts(req: IncomingMessage, trustedProxies: readonly string[]): HttpRequestFacts {
  const isTrusted = trustedPeers(trustedProxies);
  const peer = peerOf(req, isTrusted);
  const socketScheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  const forwardedProto = peer.trusted ? lastElement(req.headers['x-forwarded-proto'])?.toLowerCase() : undefined;
  const scheme = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : socketScheme;
  const forwardedHost = peer.trusted ? lastElement(req.headers['x-forwarded-host']) : undefined;
  const host = normalizeHost(forwardedHost ?? req.headers.host, scheme) ?? '';
  const clientCertificate = tlsClientCertificate(req.socket);
  return {
    method: req.method ?? 'GET',
    scheme,
    host,
    path: originPath(req.url) ?? '',
    clientIp: peer.trusted ? clientBehindProxies(req.headers['x-forwarded-for'], peer.address, isTrusted) : peer.address,
    ...optional('userAgent', req.headers['user-agent']),
    ...optional('cookie', req.headers.cookie),
    ...optional('authorization', req.headers.authorization),
    ...optional('accept', req.headers.accept),
    ...(clientCertificate === undefined ? {} : { clientCertificate }),
  };
}

/**
 * The client behind a chain of trusted proxies: walk X-Forwarded-For from the right (each proxy
 * appends the peer it saw), skipping trusted hops; the first untrusted address is the client.
 * Everything left of it was written by the client and is ignored. If every hop is trusted the
 * leftmost is the client; a malformed element ends the walk at the last hop a trusted proxy vouched for.
 */
function clientBehindProxies(header: string | string[] | undefined, peerAddress: string, isTrusted: TrustedPeerTest): string {
  const hops = header === undefined ? [] : (Array.isArray(header) ? header.join(',') : header).split(',');
  let client = peerAddress;
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = forwardedForAddress(hops[index] ?? '');
    if (hop === undefined) break;
    client = hop;
    if (!isTrusted(hop)) break;
  }
  return client;
}

/**
 * The rightmost element of a comma-separated X-Forwarded-* header: the one our trusted peer wrote.
 * (Leftmost elements may come from the client when a proxy appends instead of replacing.)
 */
function lastElement(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text === undefined) return undefined;
  const element = text.slice(text.lastIndexOf(',') + 1).trim();
  return element === '' ? undefined : element;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
