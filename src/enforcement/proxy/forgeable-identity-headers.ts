// Request headers that upstream applications commonly believe as "who the user is". A client can
// send any of them, so the proxy removes every one before adding its own (house rule: never trust
// client-supplied identity headers). Besides this list, the configured assertion header and every
// header named in any route's `headers` map are removed, since those are the names our upstreams
// were told to believe, and the configured client-certificate header (proxy.clientCertificateHeader).

/**
 * Names (lower-case) stripped from every forwarded request whatever the route:
 * - oauth2-proxy / nginx auth_request conventions: X-Forwarded-User, -Email, -Groups,
 *   -Preferred-Username, and every X-Auth-Request-* header;
 * - Apache / CGI REMOTE_USER conventions: Remote-User, X-Remote-User;
 * - client certificates as TLS-terminating proxies pass them on (Traefik X-Forwarded-Tls-Client-Cert
 *   and -Info, X-SSL-Client-Cert, SSL-Client-Cert): a certificate is public, so a client could send
 *   anyone's to an upstream that believes these headers;
 * - anything in Tenet's own X-Tenet-* namespace (assertion, decision id), so no client can
 *   pre-seed a header an upstream might read as ours.
 */
export const FORGEABLE_IDENTITY_HEADERS = {
  exact: [
    'x-forwarded-user',
    'x-forwarded-email',
    'x-forwarded-groups',
    'x-forwarded-preferred-username',
    'remote-user',
    'x-remote-user',
    'x-forwarded-tls-client-cert',
    'x-forwarded-tls-client-cert-info',
    'x-ssl-client-cert',
    'ssl-client-cert',
  ],
  prefixes: ['x-auth-request-', 'x-tenet-'],
} as const;

const EXACT: ReadonlySet<string> = new Set(FORGEABLE_IDENTITY_HEADERS.exact);

/** True when a client-sent header (lower-case name) must not reach the upstream: a known identity header, or one of `configured` (the assertion header and routes' identity header names, lower-case). */
export function isForgeableIdentityHeader(name: string, configured: ReadonlySet<string>): boolean {
  return EXACT.has(name) || configured.has(name) || FORGEABLE_IDENTITY_HEADERS.prefixes.some((prefix) => name.startsWith(prefix));
}
