// Reads one cookie from a raw Cookie header (RFC 6265 §5.4 cookie-string: `name=value; name=value`).
// Values are returned as sent; callers validate their own format.

/** The first value of cookie `name`, or undefined when absent. */
export function readCookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
