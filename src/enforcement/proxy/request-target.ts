// The request target and Host as the proxy may use them. RFC 9112 §3.2 allows origin-form
// ("/path?q") and, towards proxies, absolute-form ("http://host/path"); a reverse proxy routes on
// the Host header only, so an absolute-form target contributes its path and query and its
// authority is ignored (we never connect to a host a client names). Dot segments are refused
// rather than resolved: the route was matched on the raw path, and an upstream that resolves
// "/public/../admin" (or "..%2f", or Tomcat's "..;") would serve a path the decision never saw.

/** Path and query from an origin-form or absolute-form target; undefined for anything else ("*", authority-form, garbage). */
export function originPath(target: string | undefined): string | undefined {
  if (target === undefined || target === '') return undefined;
  if (target.startsWith('/')) return target;
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

// Separators an upstream may honour inside a segment: "/", "\" (Windows servers), and their
// percent-encodings (servers that decode before splitting).
const SEGMENT_SEPARATOR = /\/|\\|%2f|%5c/i;

/** True when any path segment is "." or "..", counting percent-encoded dots, encoded slashes and ";" path parameters. */
export function hasDotSegment(path: string): boolean {
  const queryAt = path.indexOf('?');
  const pathOnly = queryAt === -1 ? path : path.slice(0, queryAt);
  for (const segment of pathOnly.split(SEGMENT_SEPARATOR)) {
    const name = (segment.split(';')[0] ?? '').replace(/%2e/gi, '.');
    if (name === '.' || name === '..') return true;
  }
  return false;
}

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/;

/**
 * A Host (or X-Forwarded-Host) value lower-cased, with the port only when it is not the scheme's
 * default (RFC 9110 §4.2.3 normalisation), so "App.example:443" over https is "app.example".
 * Undefined when absent or not a host[:port].
 */
export function normalizeHost(value: string | undefined, scheme: 'http' | 'https'): string | undefined {
  if (value === undefined) return undefined;
  const match = HOST.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [, name = '', portText] = match;
  if (portText === undefined) return name;
  const port = Number(portText);
  if (port < 1 || port > 65_535) return undefined;
  if ((scheme === 'http' && port === 80) || (scheme === 'https' && port === 443)) return name;
  return `${name}:${port}`;
}

/** Reserved paths belong to Tenet itself (login, callback, logout, JWKS, forward-auth, ext_authz) and are never forwarded. */
export function isReservedPath(path: string): boolean {
  // Compared case-insensitively and with "%2e" decoded, so that "/%2ETENET/callback?code=…" cannot
  // slip a login code past Tenet to an upstream that normalises paths.
  const folded = path.replace(/%2e/gi, '.').toLowerCase();
  return folded === '/.tenet' || folded.startsWith('/.tenet/') || folded.startsWith('/.tenet?');
}

/** The path without its query: what logs may show (queries carry codes and tokens). */
export function pathWithoutQuery(path: string): string {
  const queryAt = path.indexOf('?');
  return queryAt === -1 ? path : path.slice(0, queryAt);
}
