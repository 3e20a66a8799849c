// Header hygiene for both directions of a forwarded exchange. Towards the upstream, in order:
// drop hop-by-hop headers, drop every identity header a client could forge, drop Tenet's cookies,
// drop X-Forwarded-*/Forwarded from untrusted peers, then add ours (verdict headers, Host,
// X-Forwarded-For/-Proto/-Host, X-Real-IP). Towards the client: drop hop-by-hop headers.
import type { OutgoingHttpHeaders } from 'node:http';
import type { HttpRequestFacts, UpstreamHeaders } from '../access/http-access.js';
import { isForgeableIdentityHeader } from './forgeable-identity-headers.js';
import { hopByHopNames } from './hop-by-hop.js';
import type { Peer } from './request-facts.js';
import { withoutTenetCookies } from './tenet-cookies.js';

/** Headers the proxy always sets itself from facts; a client's own values never pass. */
const SET_BY_PROXY: ReadonlySet<string> = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip']);

/** Message framing (RFC 9112 §6): decided by the proxy, never copied blindly. */
const FRAMING: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding']);

export interface UpstreamRequestHeaderInput {
  readonly rawHeaders: readonly string[];
  readonly facts: HttpRequestFacts;
  readonly peer: Peer;
  /** verdict.headers: the signed assertion and the route's plain identity headers. */
  readonly identity: UpstreamHeaders;
  /** Lower-case names upstreams were told to believe: the assertion header and every route's identity header names. */
  readonly configuredIdentityHeaders: ReadonlySet<string>;
  readonly sessionCookieName: string;
  /** Host header to send: the upstream URL's host, or facts.host when the route preserves it. */
  readonly host: string;
  /** For a WebSocket upgrade: the Upgrade protocol to request from the upstream. */
  readonly upgrade?: string;
}

export function upstreamRequestHeaders(input: UpstreamRequestHeaderInput): OutgoingHttpHeaders {
  const { rawHeaders, facts, peer } = input;
  const isHopByHop = hopByHopNames(rawHeaders);
  const headers: Record<string, string | string[]> = {};
  let incomingForwardedFor: string | undefined;
  let contentLength: string | undefined;
  let chunked = false;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    let value = rawHeaders[index + 1] ?? '';
    if (name === 'x-forwarded-for' && peer.trusted) incomingForwardedFor = incomingForwardedFor === undefined ? value : `${incomingForwardedFor}, ${value}`;
    // Framing is set below from what node:http parsed, whatever the Connection header names.
    if (name === 'content-length') contentLength = value;
    if (name === 'transfer-encoding') chunked = true;
    if (FRAMING.has(name) || isHopByHop(name) || SET_BY_PROXY.has(name) || name === 'expect') continue;
    if (isForgeableIdentityHeader(name, input.configuredIdentityHeaders) || hasHeader(input.identity, name)) continue;
    // RFC 7239 Forwarded and the X-Forwarded-* family describe earlier hops: only a trusted proxy may state them.
    if (!peer.trusted && (name === 'forwarded' || name.startsWith('x-forwarded-'))) continue;
    if (name === 'cookie') {
      const kept = withoutTenetCookies(value, input.sessionCookieName);
      if (kept === undefined) continue;
      value = kept;
    }
    append(headers, name, value);
  }
  // INVARIANT: the body is framed upstream exactly as the client framed it (node:http has already
  // refused a request carrying both). Left to itself node:http would send a chunked GET/DELETE body
  // with no framing at all, which the upstream would read as the next request (request smuggling).
  if (contentLength !== undefined) headers['content-length'] = contentLength;
  else if (chunked) headers['transfer-encoding'] = 'chunked';
  for (const [name, value] of Object.entries(input.identity)) headers[name.toLowerCase()] = value;
  headers.host = input.host;
  // RFC 7239 §5.2 semantics for the de facto X-Forwarded-For: each proxy appends the peer it saw.
  headers['x-forwarded-for'] = incomingForwardedFor === undefined ? peer.address : `${incomingForwardedFor}, ${peer.address}`;
  headers['x-forwarded-proto'] = facts.scheme;
  headers['x-forwarded-host'] = facts.host;
  headers['x-real-ip'] = facts.clientIp;
  if (input.upgrade !== undefined) {
    headers.connection = 'Upgrade';
    headers.upgrade = input.upgrade;
  }
  return headers;
}

/** The upstream's response headers for the client, without hop-by-hop headers. */
export function downstreamResponseHeaders(rawHeaders: readonly string[]): OutgoingHttpHeaders {
  const isHopByHop = hopByHopNames(rawHeaders);
  const headers: Record<string, string | string[]> = {};
  let chunked = false;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    if (name === 'transfer-encoding') chunked = true;
    if (isHopByHop(name)) continue;
    append(headers, name, rawHeaders[index + 1] ?? '');
  }
  // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length; the body we relay is the decoded one,
  // so a Content-Length sent alongside it would be a lie that desynchronises the client connection.
  if (chunked) delete headers['content-length'];
  return headers;
}

function append(headers: Record<string, string | string[]>, name: string, value: string): void {
  const existing = headers[name];
  if (existing === undefined) headers[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else headers[name] = [existing, value];
}

function hasHeader(headers: UpstreamHeaders, lowerName: string): boolean {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lowerName) return true;
  return false;
}
