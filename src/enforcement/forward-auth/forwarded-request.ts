// Rebuilds the ORIGINAL request (HttpRequestFacts) from the headers a trusted proxy sends to
// forward-auth. Two dialects:
//   nginx `auth_request`: X-Original-Method, X-Original-URI, Host (= X-Forwarded-Host when sent),
//     X-Forwarded-Proto, X-Real-IP (or X-Forwarded-For);
//   Caddy `forward_auth` / Traefik `ForwardAuth` ("redirect"): X-Forwarded-Method, -Uri, -Host,
//     -Proto, -For.
// Each dialect reads only its own headers: the proxy overwrites those, while every other header
// of the client's request is passed along as the client wrote it, so reading the other dialect's
// headers would let a client choose the path or method Tenet decides on.
import type { HttpRequestFacts } from '../access/http-access.js';
import { clientIpFromForwardedFor } from './client-ip.js';
import { isMethod, isOriginForm, normalizeHost, parseScheme } from './request-syntax.js';
import { canonicalIp, type TrustedPeerTest } from '../access/trusted-peers.js';

export type ForwardAuthStyle = 'nginx' | 'redirect';

/** Every value of one header, as received (several lines = several entries); [] when absent. */
export type HeaderLookup = (lowerCaseName: string) => readonly string[];

/** A refusal names the header (or parameter) that was missing or malformed. */
export interface BadRequest {
  readonly ok: false;
  readonly header: string;
  readonly problem: string;
}

export type Parsed<T> = ({ readonly ok: true } & T) | BadRequest;

const bad = (header: string, problem: string): BadRequest => ({ ok: false, header, problem });

/**
 * The dialect: `?mode=nginx|redirect` when given (the documented configurations always give it);
 * otherwise X-Original-URI means nginx and X-Forwarded-Uri / X-Forwarded-Method mean Caddy or
 * Traefik. Both sets at once is refused: one of them came from the client.
 */
export function chooseStyle(mode: string | null, headers: HeaderLookup): Parsed<{ readonly style: ForwardAuthStyle }> {
  if (mode !== null) {
    if (mode === 'nginx' || mode === 'redirect') return { ok: true, style: mode };
    return bad('mode', `must be "nginx" or "redirect", not ${JSON.stringify(mode.slice(0, 32))}`);
  }
  const nginx = headers('x-original-uri').length > 0;
  const redirect = headers('x-forwarded-uri').length > 0 || headers('x-forwarded-method').length > 0;
  if (nginx && redirect) {
    return bad('X-Original-URI', 'arrived together with X-Forwarded-Uri / X-Forwarded-Method, so one set came from the client; add ?mode=nginx or ?mode=redirect to the forward-auth URL');
  }
  if (nginx) return { ok: true, style: 'nginx' };
  if (redirect) return { ok: true, style: 'redirect' };
  return bad('X-Original-URI', 'is missing (nginx), and so are X-Forwarded-Uri and X-Forwarded-Method (Caddy, Traefik)');
}

/** Exactly one value: a proxy sets these once, so a second copy is a client's attempt to add its own. */
function single(headers: HeaderLookup, name: string, display: string): Parsed<{ readonly value: string }> {
  const values = headers(name);
  if (values.length === 0) return bad(display, 'is missing');
  if (values.length > 1) return bad(display, 'appears more than once');
  const value = (values[0] as string).trim();
  if (value === '') return bad(display, 'is empty');
  return { ok: true, value };
}

function joined(headers: HeaderLookup, name: string, separator: string): string | undefined {
  const values = headers(name);
  return values.length === 0 ? undefined : values.join(separator);
}

/** The client's own headers that feed the decision (session cookie, bearer token, browser or API). */
export function clientHeaders(headers: HeaderLookup): Pick<HttpRequestFacts, 'cookie' | 'authorization' | 'accept' | 'userAgent'> {
  // RFC 6265 §5.4: one Cookie header, pairs separated by "; ".
  const cookie = joined(headers, 'cookie', '; ');
  const authorization = headers('authorization')[0];
  const accept = joined(headers, 'accept', ', ');
  const userAgent = headers('user-agent')[0];
  return {
    ...(cookie === undefined ? {} : { cookie }),
    ...(authorization === undefined ? {} : { authorization }),
    ...(accept === undefined ? {} : { accept }),
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}

/** Method, scheme, host and path checked together, shared by every dialect. */
export function requestLine(
  method: { readonly value: string; readonly header: string },
  scheme: { readonly value: string; readonly header: string },
  host: { readonly value: string; readonly header: string },
  path: { readonly value: string; readonly header: string },
): Parsed<{ readonly method: string; readonly scheme: 'http' | 'https'; readonly host: string; readonly path: string }> {
  if (!isMethod(method.value)) return bad(method.header, 'is not an HTTP method token');
  const parsedScheme = parseScheme(scheme.value);
  if (parsedScheme === undefined) return bad(scheme.header, 'must be "http" or "https"');
  const parsedHost = normalizeHost(host.value, parsedScheme);
  if (parsedHost === undefined) return bad(host.header, 'is not a host name or address with an optional port');
  if (!isOriginForm(path.value)) return bad(path.header, 'must start with "/" and hold only visible ASCII (no spaces, CR or LF)');
  return { ok: true, method: method.value, scheme: parsedScheme, host: parsedHost, path: path.value };
}

function nginxFacts(headers: HeaderLookup, isTrusted: TrustedPeerTest): Parsed<{ readonly facts: HttpRequestFacts }> {
  const method = single(headers, 'x-original-method', 'X-Original-Method');
  if (!method.ok) return method;
  const uri = single(headers, 'x-original-uri', 'X-Original-URI');
  if (!uri.ok) return uri;
  const proto = single(headers, 'x-forwarded-proto', 'X-Forwarded-Proto');
  if (!proto.ok) return proto;
  // The auth subrequest's Host is set by nginx (`proxy_set_header Host $http_host`, or the upstream's
  // name when forgotten, which matches no route); X-Forwarded-Host, when sent, must agree, because
  // a client-sent X-Forwarded-Host also reaches us when the configuration does not overwrite it.
  const host = single(headers, 'host', 'Host');
  if (!host.ok) return host;
  const forwardedHost = headers('x-forwarded-host');
  if (forwardedHost.length > 0) {
    const other = single(headers, 'x-forwarded-host', 'X-Forwarded-Host');
    if (!other.ok) return other;
    if (other.value.toLowerCase() !== host.value.toLowerCase()) {
      return bad('X-Forwarded-Host', 'differs from Host; set both to $http_host in the auth location (proxy_set_header Host $http_host)');
    }
  }
  const line = requestLine(
    { value: method.value, header: 'X-Original-Method' },
    { value: proto.value, header: 'X-Forwarded-Proto' },
    { value: host.value, header: 'Host' },
    { value: uri.value, header: 'X-Original-URI' },
  );
  if (!line.ok) return line;
  let clientIp: string;
  if (headers('x-real-ip').length > 0) {
    const realIp = single(headers, 'x-real-ip', 'X-Real-IP');
    if (!realIp.ok) return realIp;
    const ip = canonicalIp(realIp.value);
    if (ip === undefined) return bad('X-Real-IP', 'is not an IP address');
    clientIp = ip;
  } else if (headers('x-forwarded-for').length > 0) {
    const result = clientIpFromForwardedFor(headers('x-forwarded-for'), isTrusted);
    if (!result.ok) return bad('X-Forwarded-For', result.problem);
    clientIp = result.ip;
  } else {
    return bad('X-Real-IP', 'is missing (set proxy_set_header X-Real-IP $remote_addr in the auth location)');
  }
  const { ok: _ok, ...request } = line;
  return { ok: true, facts: { ...request, clientIp, ...clientHeaders(headers) } };
}

function redirectFacts(headers: HeaderLookup, isTrusted: TrustedPeerTest): Parsed<{ readonly facts: HttpRequestFacts }> {
  const method = single(headers, 'x-forwarded-method', 'X-Forwarded-Method');
  if (!method.ok) return method;
  const uri = single(headers, 'x-forwarded-uri', 'X-Forwarded-Uri');
  if (!uri.ok) return uri;
  const proto = single(headers, 'x-forwarded-proto', 'X-Forwarded-Proto');
  if (!proto.ok) return proto;
  // Caddy and Traefik overwrite X-Forwarded-Host with the client's Host; the request's own Host is
  // Tenet's address (Traefik) or the original host (Caddy), so only X-Forwarded-Host is read.
  const host = single(headers, 'x-forwarded-host', 'X-Forwarded-Host');
  if (!host.ok) return host;
  const line = requestLine(
    { value: method.value, header: 'X-Forwarded-Method' },
    { value: proto.value, header: 'X-Forwarded-Proto' },
    { value: host.value, header: 'X-Forwarded-Host' },
    { value: uri.value, header: 'X-Forwarded-Uri' },
  );
  if (!line.ok) return line;
  // X-Real-IP is not read: Caddy passes a client-sent X-Real-IP through untouched.
  const forwardedFor = headers('x-forwarded-for');
  if (forwardedFor.length === 0) return bad('X-Forwarded-For', 'is missing');
  const result = clientIpFromForwardedFor(forwardedFor, isTrusted);
  if (!result.ok) return bad('X-Forwarded-For', result.problem);
  const { ok: _ok, ...request } = line;
  return { ok: true, facts: { ...request, clientIp: result.ip, ...clientHeaders(headers) } };
}

export function forwardedFacts(style: ForwardAuthStyle, headers: HeaderLookup, isTrusted: TrustedPeerTest): Parsed<{ readonly facts: HttpRequestFacts }> {
  return style === 'nginx' ? nginxFacts(headers, isTrusted) : redirectFacts(headers, isTrusted);
}
