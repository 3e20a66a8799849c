// The wire protocol between a device (the `tenet agent`) and Tenet, served on the proxy listener
// under /.tenet/device/ (the agent needs only proxy.publicUrl). Enrollment follows the shape of the
// OAuth device authorization grant (RFC 8628): the agent gets a user code, the owner approves it
// while logged in, the agent polls. Every later message is a compact JWS (RFC 7515) signed with the
// device key and carrying the device certificate in `x5c`, so the server checks possession of the
// key, the certificate's binding to the device, freshness and replay on each one.
// Errors are `{ "error": code, "error_description": text }` with the status noted per code.
import { z } from 'zod';

export const DEVICE_PATHS = {
  /** POST EnrollRequest → 201 Issued (with a valid admin token) | 202 Pending. */
  enroll: '/.tenet/device/enroll',
  /** POST (empty body) to `${enrollmentPoll}${enrollment}` → 200 Issued | 202 Pending | 403 access_denied | 400 expired_token. */
  enrollmentPoll: '/.tenet/device/enroll/',
  /** POST compact JWS (typ tenet-renewal+jwt, RenewalClaims) → 200 Issued. */
  renew: '/.tenet/device/renew',
  /** POST compact JWS (typ tenet-posture+jwt, PostureClaims) → 200 PostureAccepted. */
  posture: '/.tenet/device/posture',
  /** GET → the device CA's CRL (RFC 5280, DER, application/pkix-crl). */
  crl: '/.tenet/device/crl',
  /** GET → the device CA certificate (PEM). */
  caCertificate: '/.tenet/device/ca.pem',
  /** The owner's approval page (browser, logged in): ?code=USER-CODE. */
  approve: '/.tenet/devices/approve',
} as const;

/** JOSE `typ` of the signed messages (RFC 8725 §3.11: explicit typing keeps one kind from being replayed as another). */
export const POSTURE_JWS_TYPE = 'tenet-posture+jwt';
export const RENEWAL_JWS_TYPE = 'tenet-renewal+jwt';

/** Largest accepted body of any device endpoint. */
export const DEVICE_BODY_LIMIT_BYTES = 64 * 1024;

/** How far a signed message's `iat` may be from the server's clock, either way. */
export const SIGNED_MESSAGE_MAX_SKEW_SECONDS = 300;

const description = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/), z.string().max(200))
  .refine((value) => Object.keys(value).length <= 16, 'at most 16 entries')
  .describe('What the agent says about the machine (hostname, os, …), shown to the approving user; never trusted.');

export const enrollRequestSchema = z.strictObject({
  /** PKCS#10 certification request (PEM) for an ECDSA P-256 key the device generated and keeps. */
  csr: z.string().min(1).max(16 * 1024),
  description: description.default({}),
  /** An admin-issued enrollment token: the certificate is issued at once, no user approval. */
  token: z.string().min(1).max(256).optional(),
});
export type EnrollRequest = z.input<typeof enrollRequestSchema>;

export interface EnrollmentPending {
  readonly status: 'pending';
  /** The poll secret: POST to DEVICE_PATHS.enrollmentPoll + this. Only the agent knows it. */
  readonly enrollment: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  /** Seconds to wait between polls (RFC 8628 §3.5 `slow_down` adds 5). */
  readonly interval: number;
}

export interface CertificateIssued {
  readonly status: 'issued';
  readonly device_id: string;
  /** The device certificate (PEM). */
  readonly certificate: string;
  /** The device CA certificate (PEM): the agent keeps it to check its chain. */
  readonly ca_certificate: string;
  readonly not_after: string;
  /** When the agent should renew (not_after minus devices.pki.renewBefore). */
  readonly renew_after: string;
}

/** Claims of a signed renewal request. */
export const renewalClaimsSchema = z.object({
  iss: z.string().min(1),
  aud: z.string().min(1),
  iat: z.number().int(),
  jti: z.string().min(16).max(128),
  /** A new PKCS#10 request (a new key, or the same). */
  csr: z.string().min(1).max(16 * 1024),
});
export type RenewalClaims = z.infer<typeof renewalClaimsSchema>;

/**
 * Posture facts as the agent reports them. Names are shared with MDM/EDR imports so one set of
 * posture rules checks both. `null` = the agent could not determine it (a required check fails).
 */
export const postureFactsSchema = z
  .object({
    os: z.string().max(32),
    osVersion: z.string().max(64),
    kernelVersion: z.string().max(128).optional(),
    distribution: z.string().max(64).optional(),
    distributionVersion: z.string().max(64).optional(),
    hostname: z.string().max(255).optional(),
    diskEncrypted: z.boolean().nullable(),
    firewallEnabled: z.boolean().nullable(),
    screenLockEnabled: z.boolean().nullable(),
    /** ISO 8601: the last time the package manager installed or upgraded anything. */
    lastPackageUpdateAt: z.string().max(64).nullable(),
    agentVersion: z.string().max(32),
  })
  .catchall(z.union([z.string().max(256), z.number(), z.boolean(), z.null()]))
  .refine((facts) => Object.keys(facts).length <= 64, 'at most 64 facts');
export type PostureFacts = z.infer<typeof postureFactsSchema>;

/** Claims of a signed posture report. */
export const postureClaimsSchema = z.object({
  /** The device id (must equal the certificate's). */
  iss: z.string().min(1),
  /** `${publicUrl}/.tenet/device/posture`. */
  aud: z.string().min(1),
  iat: z.number().int(),
  jti: z.string().min(16).max(128),
  posture: z.object({ observedAt: z.string().min(1).max(64), facts: postureFactsSchema }),
});
export type PostureClaims = z.infer<typeof postureClaimsSchema>;

export interface PostureAccepted {
  readonly accepted: true;
  readonly device_id: string;
  /** Whether the device is compliant by the server's posture rules after this report. */
  readonly compliant: boolean;
  readonly failed_checks: readonly { readonly check: string; readonly reason: string }[];
  /** When the server wants the next report. */
  readonly next_report_seconds: number;
}

export interface DeviceProtocolError {
  readonly error: 'invalid_request' | 'invalid_csr' | 'invalid_token' | 'authorization_pending' | 'slow_down' | 'access_denied' | 'expired_token' | 'invalid_signature' | 'stale' | 'replayed' | 'device_revoked' | 'unknown_device' | 'not_enabled';
  readonly error_description: string;
}
