// The enforcement-point part of tenet.yaml: routes (which host + path is which Cedar resource and
// where it is forwarded), how users log in (OIDC providers, sessions), the identity-aware proxy
// listener, forward-auth and Envoy ext_authz. Same rules as schema.ts: strict objects, a default
// where one is safe, one line of documentation per key.
import { z } from 'zod';
import { parseDuration } from './duration.js';

const duration = (description: string, fallback: string) =>
  z
    .string()
    .refine((value) => parseDuration(value) !== undefined, {
      message: 'expected a duration such as "90s", "15m", "1h" or "7d"',
    })
    .default(fallback)
    .describe(description);

export const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected HOST:PORT, e.g. "127.0.0.1:8180" or "[::1]:8180"');

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), { message: 'expected an http:// or https:// URL' });

const cidr = z
  .string()
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'expected an IP address or CIDR, e.g. "127.0.0.1/32" or "10.0.0.0/8"');

const entityRef = z.strictObject({
  type: z.string().min(1).describe('Cedar entity type, e.g. "App".'),
  id: z.string().min(1).describe('Cedar entity id.'),
});

/** HTTP method → Cedar action name. */
const DEFAULT_ACTIONS = { GET: 'read', HEAD: 'read', OPTIONS: 'read', POST: 'write', PUT: 'write', PATCH: 'write', DELETE: 'write' } as const;

const route = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes')
      .describe('Route name: shown in logs and used as the identity assertion audience.'),
    host: z
      .string()
      .regex(/^(\*|(\*\.)?[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'expected a host name, "*.example.com" or "*"')
      .describe('Host the route answers for (port optional); "*.example.com" matches one label; "*" any host.'),
    pathPrefix: z
      .string()
      .regex(/^\//, 'expected a path starting with "/"')
      .default('/')
      .describe('Path prefix the route answers for; the longest matching prefix wins.'),
    upstream: httpUrl
      .optional()
      .describe('Where the proxy forwards allowed requests (http:// or https://). Omit for routes that are only checked by forward-auth or ext_authz.'),
    upstreamCa: z.string().optional().describe('PEM CA bundle that signs the upstream\'s TLS certificate (default: the system CAs).'),
    preserveHost: z.boolean().default(false).describe('Send the client\'s Host header upstream instead of the upstream URL\'s host.'),
    resource: entityRef.describe('The Cedar resource entity this route protects.'),
    sensitivity: z
      .enum(['low', 'medium', 'high', 'critical'])
      .optional()
      .describe('Resource sensitivity (adds to `resources`); selects the risk threshold.'),
    actions: z
      .record(z.string().regex(/^[A-Z]+$/, 'expected an upper-case HTTP method'), z.string().min(1))
      .default({ ...DEFAULT_ACTIONS })
      .describe('HTTP method → Cedar action name; methods not listed are denied. Default: GET/HEAD/OPTIONS → read, others → write.'),
    api: z
      .boolean()
      .default(false)
      .describe('An API route: unauthenticated requests get 401 with JSON, never a redirect to login.'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'expected a header name'), z.enum(['subject', 'email', 'name', 'groups', 'device', 'decision']))
      .default({})
      .describe('Plain identity headers to send upstream besides the signed assertion, e.g. {"X-Email": "email"}.'),
    websockets: z.boolean().default(true).describe('Allow WebSocket upgrades through this route.'),
    timeout: duration('Upstream response timeout (time to response headers).', '30s'),
    clientCertificate: z
      .enum(['off', 'optional', 'required'])
      .default('optional')
      .describe('Device certificates (mTLS): optional = a valid one names the device, a missing or bad one leaves it unknown and the policy decides; required = refuse (403) without a valid one, before any decision; off = ignore them. Needs `devices.pki`.'),
  })
  .describe('A protected application: host + path prefix → Cedar resource (+ upstream for the proxy).');

const claimMapping = z
  .strictObject({
    subjectType: z.string().min(1).default('User').describe('Cedar entity type of logged-in users.'),
    subjectClaim: z.string().min(1).default('sub').describe('ID token / userinfo claim whose value becomes the user entity id (e.g. "email", "preferred_username").'),
    groupsClaim: z.string().min(1).default('groups').describe('Claim that lists the user\'s groups (absent claim = no groups).'),
    groupType: z.string().min(1).default('Group').describe('Cedar entity type the groups become parents of the user as.'),
    attributes: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a Cedar attribute name'), z.string().min(1))
      .default({})
      .describe('Cedar attribute name → claim name, overlaid on the user entity for each request.'),
  })
  .default({ subjectType: 'User', subjectClaim: 'sub', groupsClaim: 'groups', groupType: 'Group', attributes: {} })
  .describe('How ID token claims map onto the subject entity.');

const oidcProvider = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes')
      .describe('Provider id, used in URLs (/.tenet/login?provider=ID) and in session records.'),
    name: z.string().min(1).optional().describe('Name on the login choice page (default: the id).'),
    issuer: httpUrl.describe('OpenID Provider issuer URL; its /.well-known/openid-configuration is discovered at start and retried in the background until it answers.'),
    clientId: z.string().min(1).describe('OAuth client id registered at the provider.'),
    clientSecret: z.string().min(1).optional().describe('Client secret (prefer clientSecretFile or clientSecretEnv; never logged).'),
    clientSecretFile: z.string().optional().describe('File holding the client secret.'),
    clientSecretEnv: z.string().optional().describe('Environment variable holding the client secret.'),
    scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']).describe('Scopes requested at login ("openid" is always added).'),
    claims: claimMapping,
    stepUpAcrValues: z
      .array(z.string().min(1))
      .default([])
      .describe('acr_values requested when a decision asks for phishing-resistant step-up (e.g. "phr").'),
    phishingResistantAcr: z
      .array(z.string().min(1))
      .default([])
      .describe('acr values from this provider that assert phishing-resistant authentication.'),
    allowInsecureHttp: z
      .boolean()
      .default(false)
      .describe('Allow an http:// issuer (development only, e.g. the bundled dev IdP on loopback; warns).'),
  })
  .describe('An OpenID Connect provider users log in with.');

const session = z
  .strictObject({
    cookieName: z
      .string()
      .regex(/^__Host-[A-Za-z0-9_-]+$/, 'the cookie name must start with "__Host-" (bound to one host, Secure, path /)')
      .default('__Host-tenet_session')
      .describe('Session cookie name; the __Host- prefix makes browsers bind it to one host over HTTPS.'),
    idleTimeout: duration('A session unused this long expires.', '1h'),
    absoluteTimeout: duration('A session expires this long after login, however active.', '12h'),
  })
  .default({ cookieName: '__Host-tenet_session', idleTimeout: '1h', absoluteTimeout: '12h' })
  .describe('Server-side sessions (kept in the store; the cookie holds only a random id).');

export const authenticationSchema = z
  .strictObject({
    providers: z.array(oidcProvider).default([]).describe('OpenID Connect providers; the first is the default at login.'),
    session,
    bearerTokens: z
      .boolean()
      .default(true)
      .describe('Accept `Authorization: Bearer <ID token>` from a configured provider for API clients (signature, issuer, audience, expiry checked).'),
    passkeys: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Let logged-in users register passkeys at <publicUrl>/.tenet/passkeys and step up with them.'),
        rpName: z.string().min(1).default('Tenet').describe('Relying party name browsers show when registering a passkey.'),
        userVerification: z
          .enum(['required', 'preferred'])
          .default('required')
          .describe('WebAuthn user verification (PIN or biometric): required makes a passkey alone multi-factor.'),
      })
      .default({ enabled: true, rpName: 'Tenet', userVerification: 'required' })
      .describe('Passkeys (WebAuthn / FIDO2): phishing-resistant step-up without a round trip to the IdP. The relying party id is the host of proxy.publicUrl.'),
  })
  .default({ providers: [], session: { cookieName: '__Host-tenet_session', idleTimeout: '1h', absoluteTimeout: '12h' }, bearerTokens: true, passkeys: { enabled: true, rpName: 'Tenet', userVerification: 'required' } })
  .describe('How users authenticate to the enforcement points.');

const tlsFiles = z.strictObject({
  cert: z.string().describe('PEM certificate chain file.'),
  key: z.string().describe('PEM private key file.'),
});

export const proxySchema = z
  .strictObject({
    listen: listenAddress.describe('Address the identity-aware proxy (and forward-auth, login endpoints) listens on.'),
    publicUrl: httpUrl.describe('Base URL users reach the proxy\'s login endpoints at; the OIDC redirect URI is <publicUrl>/.tenet/callback.'),
    tls: z
      .union([tlsFiles, z.literal('self-signed')], { error: 'expected "self-signed" or { cert: FILE, key: FILE }' })
      .optional()
      .describe('Terminate TLS: certificate files, or "self-signed" to generate one beside the database (development). Omit only behind a TLS-terminating proxy.'),
    trustedProxies: z
      .array(cidr)
      .default(['127.0.0.1/32', '::1/128'])
      .describe('Addresses whose X-Forwarded-For / X-Forwarded-* headers are believed, and which may call forward-auth.'),
    assertionHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'expected a header name')
      .default('X-Tenet-Assertion')
      .describe('Header carrying the signed identity assertion (ES256 JWT) to upstreams.'),
    assertionKey: z
      .string()
      .optional()
      .describe('PEM P-256 private key for identity assertions; when absent, generated once into assertion-signing-key.pem beside the database.'),
    limits: z
      .strictObject({
        headerBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024).describe('Largest accepted request head (request line + headers).'),
        bodyBytes: z.number().int().min(0).default(10 * 1024 * 1024).describe('Largest accepted request body forwarded upstream (0 = no limit).'),
        requestTimeout: duration('Time allowed to receive a whole request from a client.', '60s'),
        keepAliveTimeout: duration('Idle time before a client keep-alive connection is closed.', '5s'),
      })
      .default({ headerBytes: 16 * 1024, bodyBytes: 10 * 1024 * 1024, requestTimeout: '60s', keepAliveTimeout: '5s' })
      .describe('Limits on what clients may send.'),
    clientCertificateHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'expected a header name')
      .default('X-Tenet-Client-Cert')
      .describe('Header in which a trusted proxy calling forward-auth passes the client certificate it verified (URL-escaped PEM as nginx $ssl_client_escaped_cert, or base64 DER as Caddy and Traefik send it). Believed only from trustedProxies.'),
    decisionCache: z
      .strictObject({
        maxEntries: z.number().int().min(0).default(10_000).describe('Most cached decisions (0 disables the cache).'),
      })
      .default({ maxEntries: 10_000 })
      .describe('Short-lived cache of decisions per session + route + action; entries live as long as the decision\'s cacheTtl obligation.'),
  })
  .describe('The identity-aware reverse proxy (NIST SP 800-207 resource-portal / gateway PEP).');

export const extAuthzSchema = z
  .strictObject({
    grpcListen: listenAddress.optional().describe('Address for the gRPC envoy.service.auth.v3.Authorization service (plaintext; put it on loopback or a private network).'),
    httpPathPrefix: z
      .string()
      .regex(/^\/\.tenet\/[A-Za-z0-9/_-]+$/, 'expected a path under "/.tenet/", e.g. "/.tenet/ext-authz" (reserved paths are never forwarded upstream)')
      .default('/.tenet/ext-authz')
      .describe('Path prefix of the ext_authz HTTP service on the proxy listener (Envoy http_service path_prefix).'),
  })
  .default({ httpPathPrefix: '/.tenet/ext-authz' })
  .describe('Envoy external authorization (ext_authz), gRPC and HTTP.');

export const routesSchema = z.array(route).default([]).describe('Protected applications (proxy, forward-auth and ext_authz all match requests against these).');

export type RouteConfig = z.infer<typeof route>;
export type OidcProviderConfig = z.infer<typeof oidcProvider>;
export type AuthenticationConfig = z.infer<typeof authenticationSchema>;
export type ProxyConfig = z.infer<typeof proxySchema>;
export type ExtAuthzConfig = z.infer<typeof extAuthzSchema>;
