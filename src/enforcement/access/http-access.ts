// The contract every HTTP-shaped enforcement point shares (proxy, forward-auth, ext_authz HTTP and
// gRPC): the PEP turns its protocol's request into HttpRequestFacts from trusted sources only, asks
// `authorizeHttp`, and renders the Verdict in its protocol. Nothing else decides.
import type { Decision } from '../../engine/decision.js';
import type { RouteConfig } from '../../config/enforcement-schema.js';
import type { Authentication, EntityRef } from '../../engine/tuple.js';
import type { SessionIdentity, SessionRecord } from '../../sessions/session.js';

/** What the PEP knows about one request. Every field comes from the connection or from a trusted proxy, never from a client-supplied identity header. */
export interface HttpRequestFacts {
  readonly method: string;
  /** The scheme the client used (from the TLS socket, or X-Forwarded-Proto of a trusted proxy). */
  readonly scheme: 'http' | 'https';
  /** Host as the client addressed it, lower-case, with the port when not the scheme's default. */
  readonly host: string;
  /** Path and query as received (origin-form, starts with "/"). */
  readonly path: string;
  /** The client's address: the socket peer, or the last untrusted hop of X-Forwarded-For from trusted proxies. */
  readonly clientIp: string;
  readonly userAgent?: string;
  /** The raw Cookie header (the session cookie is read from it). */
  readonly cookie?: string;
  /** The raw Authorization header (bearer ID tokens for API clients). */
  readonly authorization?: string;
  /** The Accept header: decides between a browser answer (redirect, HTML page) and an API answer (401/403 JSON). */
  readonly accept?: string;
  /**
   * The client certificate, as presented on the PEP's own TLS connection or as a trusted proxy
   * forwarded it. Not yet trusted: `authorizeHttp` verifies it (DeviceCertificateVerifier) and only
   * a valid one names the device. Absent = no certificate.
   */
  readonly clientCertificate?: PresentedCertificate;
}

/** A client certificate as the PEP received it. */
export interface PresentedCertificate {
  /** The leaf certificate, DER. */
  readonly der: Uint8Array;
  /** `tls`: on the PEP's own TLS connection; `forwarded`: in a header (or Envoy attribute) from a trusted proxy. */
  readonly via: 'tls' | 'forwarded';
}

/** Why a presented certificate names no device. */
export type CertificateProblem = 'malformed' | 'untrusted-issuer' | 'expired' | 'not-yet-valid' | 'revoked' | 'no-device-id';

export type DeviceCertificateCheck =
  | { readonly ok: true; readonly deviceId: string; readonly serial: string; readonly notAfter: Date }
  | { readonly ok: false; readonly problem: CertificateProblem; readonly detail: string };

/**
 * Verifies device certificates (implemented by src/devices/pki): chain to the configured device CA,
 * validity at the current time, not revoked (checked on every call, so a revocation takes effect on
 * the next request), and the device id from the URI subjectAltName. Synchronous: the expensive part
 * (signature) is cached per certificate fingerprint.
 */
export interface DeviceCertificateVerifier {
  verify(der: Uint8Array): DeviceCertificateCheck;
}

/** Headers to send upstream on allow: the signed assertion plus the route's plain identity headers. */
export type UpstreamHeaders = Readonly<Record<string, string>>;

export type Verdict =
  /** Forward the request; `headers` replace any client-sent header of the same name. */
  | {
      readonly kind: 'allow';
      readonly route: RouteConfig;
      readonly decision: Decision;
      readonly session: SessionRecord | undefined;
      /** The principal allowed and the device named (authorizeHttp sets both): what a live connection is re-checked for when they change. */
      readonly subject?: EntityRef;
      readonly deviceId?: string;
      readonly headers: UpstreamHeaders;
      readonly cached: boolean;
    }
  /** No usable session: browsers go to `loginUrl`, API clients get 401. */
  | { readonly kind: 'unauthenticated'; readonly route: RouteConfig; readonly loginUrl: string; readonly browser: boolean; readonly problem: string }
  /** Allowed after stronger authentication: browsers go to `stepUpUrl`, API clients get 401 with the requirement. */
  | { readonly kind: 'step-up'; readonly route: RouteConfig; readonly decision: Decision; readonly stepUpUrl: string; readonly browser: boolean }
  /** Denied: 403 with the reasons and decision id. */
  | { readonly kind: 'deny'; readonly route: RouteConfig; readonly decision: Decision; readonly browser: boolean }
  /** No route for this host + path: 404 from the proxy (403 from forward-auth), nothing is forwarded, no decision is made. */
  | { readonly kind: 'no-route'; readonly browser: boolean }
  /** The route requires a device certificate and none valid was presented: 403, nothing is forwarded, no decision is made. */
  | { readonly kind: 'device-required'; readonly route: RouteConfig; readonly problem: string; readonly browser: boolean }
  /** The route maps no Cedar action to this HTTP method: 405, nothing is forwarded, no decision is made. */
  | { readonly kind: 'method-not-allowed'; readonly route: RouteConfig; readonly browser: boolean };

export interface HttpAccess {
  authorize(facts: HttpRequestFacts, pep: 'proxy' | 'forward-auth' | 'ext-authz'): Promise<Verdict>;
}

/** Verifies an `Authorization: Bearer` credential from an API client (implemented by src/enforcement/authenticate). */
export interface BearerAuthenticator {
  authenticate(authorizationHeader: string): Promise<{ readonly ok: true; readonly identity: SessionIdentity; readonly authn: Authentication } | { readonly ok: false; readonly problem: string }>;
}
