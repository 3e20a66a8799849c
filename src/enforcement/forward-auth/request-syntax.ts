// Syntax checks for the parts of an original request that a proxy reports to Tenet (forward-auth
// headers, Envoy's CheckRequest): method, scheme, host and request target. A value that fails is
// refused with the name of its source, never guessed at or repaired.

/** RFC 9110 §9.1: method = token; §5.6.2: token = 1*tchar. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** RFC 9112 §3.2.1 origin-form: absolute-path [ "?" query ]; visible ASCII only (no CR, LF, space or other controls). */
const ORIGIN_FORM = /^\/[\x21-\x7e]*$/;

/** reg-name (restricted to letters, digits, ".", "-", "_") or an IPv4 literal, or an IP-literal in brackets (RFC 3986 §3.2.2), then an optional port. */
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_])?)(?::(\d{1,5}))?$/;

export function isMethod(value: string): boolean {
  return TOKEN.test(value);
}

export function isOriginForm(value: string): boolean {
  return ORIGIN_FORM.test(value);
}

export function parseScheme(value: string): 'http' | 'https' | undefined {
  const lower = value.toLowerCase();
  return lower === 'http' || lower === 'https' ? lower : undefined;
}

/**
 * The host as `HttpRequestFacts.host` wants it: lower-case, with the port only when it is not the
 * scheme's default (RFC 9110 §4.2: `example.com` and `example.com:443` are the same https origin).
 * undefined when the value is not a host[:port].
 */
export function normalizeHost(value: string, scheme: 'http' | 'https'): string | undefined {
  const lower = value.toLowerCase();
  const match = HOST.exec(lower);
  if (match === null) return undefined;
  const port = match[1];
  if (port === undefined) return lower;
  const number = Number(port);
  if (number < 1 || number > 65535) return undefined;
  const name = lower.slice(0, lower.length - port.length - 1);
  const defaultPort = scheme === 'https' ? 443 : 80;
  return number === defaultPort ? name : `${name}:${number}`;
}
