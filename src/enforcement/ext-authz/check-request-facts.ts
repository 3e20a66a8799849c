// CheckRequest (envoy.service.auth.v3) → HttpRequestFacts of the original request:
// attributes.request.http gives method, scheme, host (or the :authority / host header), path
// (with query) and the client's headers (lower-case keys); attributes.source gives the client's
// address, which Envoy has already resolved through its own X-Forwarded-For settings.
// Everything is validated; a field that is missing or malformed is named in the refusal.
import type { HttpRequestFacts } from '../access/http-access.js';
import { clientHeaders, requestLine, type HeaderLookup, type Parsed } from '../forward-auth/forwarded-request.js';
import { canonicalIp } from '../access/trusted-peers.js';
import type { CheckRequestMessage } from './authorization-proto.js';

const HTTP = 'attributes.request.http';

const bad = (header: string, problem: string): Parsed<never> => ({ ok: false, header, problem });

/** Header lookup over `headers` (a map, repeated headers already merged) or, with encode_raw_headers, `header_map`. */
function lookup(http: NonNullable<NonNullable<CheckRequestMessage['attributes']>['request']>['http']): HeaderLookup {
  const map = http?.headers ?? {};
  const raw = http?.header_map?.headers ?? [];
  return (name) => {
    const value = map[name];
    if (value !== undefined) return [value];
    return raw
      .filter((entry) => entry.key?.toLowerCase() === name)
      .map((entry) => (entry.raw_value !== undefined && entry.raw_value.length > 0 ? Buffer.from(entry.raw_value).toString('utf8') : (entry.value ?? '')));
  };
}

/** Lower-case names of the original request's headers (pseudo-headers excluded). */
export function checkRequestHeaderNames(request: CheckRequestMessage): string[] {
  const http = request.attributes?.request?.http;
  const names = [...Object.keys(http?.headers ?? {}), ...(http?.header_map?.headers ?? []).map((entry) => entry.key ?? '')];
  return [...new Set(names.map((name) => name.toLowerCase()).filter((name) => name !== '' && !name.startsWith(':')))];
}

export function checkRequestFacts(request: CheckRequestMessage): Parsed<{ readonly facts: HttpRequestFacts }> {
  const http = request.attributes?.request?.http;
  if (http === undefined || http === null) return bad(HTTP, 'is missing (not an HTTP request?)');
  const headers = lookup(http);
  const host = http.host ?? headers(':authority')[0] ?? headers('host')[0];
  const path = http.path ?? headers(':path')[0];
  if (http.method === undefined) return bad(`${HTTP}.method`, 'is missing');
  if (http.scheme === undefined) return bad(`${HTTP}.scheme`, 'is missing');
  if (host === undefined) return bad(`${HTTP}.host`, 'is missing');
  if (path === undefined) return bad(`${HTTP}.path`, 'is missing');
  const line = requestLine(
    { value: http.method, header: `${HTTP}.method` },
    { value: http.scheme, header: `${HTTP}.scheme` },
    { value: host, header: `${HTTP}.host` },
    { value: path, header: `${HTTP}.path` },
  );
  if (!line.ok) return line;
  const sourceAddress = request.attributes?.source?.address?.socket_address?.address;
  if (sourceAddress === undefined) return bad('attributes.source.address.socket_address.address', 'is missing');
  const clientIp = canonicalIp(sourceAddress);
  if (clientIp === undefined) return bad('attributes.source.address.socket_address.address', 'is not an IP address');
  const { ok: _ok, ...requestFacts } = line;
  return { ok: true, facts: { ...requestFacts, clientIp, ...clientHeaders(headers) } };
}
