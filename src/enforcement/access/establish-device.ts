// Which device a request comes from, per route (`route.clientCertificate`), from the client
// certificate the PEP received (its own TLS handshake, or a trusted proxy's header):
//   off                         → no device, the certificate is not even looked at
//   valid certificate           → the device id the verifier read from it (NIST SP 800-207 §3.3.1:
//                                 the device is part of the request, not only the user)
//   absent / invalid / no verifier
//     optional                  → unknown device: the policy decides (risk, `context.device`)
//     required                  → refused before any decision (Verdict `device-required`)
// The certificate is verified on every request, never remembered as valid: a revocation or expiry
// takes effect on the next request (the verifier caches only the signature check).
import type { RouteConfig } from '../../config/enforcement-schema.js';
import type { CertificateProblem, DeviceCertificateVerifier, PresentedCertificate } from './http-access.js';

export type DeviceOutcome =
  /** A verified device certificate named this device. */
  | { readonly kind: 'device'; readonly deviceId: string }
  /** No device: the route ignores certificates, or accepts requests without a valid one. `problem` says why none was accepted (absent when the route is `off`). */
  | { readonly kind: 'unknown'; readonly problem?: string }
  /** The route requires a valid device certificate and there is none: refuse, decide nothing. */
  | { readonly kind: 'refused'; readonly problem: string };

/**
 * Problem texts shown to the user (403 page, JSON) and safe to log: fixed sentences per problem,
 * never the verifier's `detail` (which may echo certificate contents) nor certificate bytes.
 */
const PROBLEM_TEXT: Readonly<Record<CertificateProblem, string>> = {
  malformed: 'the client certificate could not be read',
  'untrusted-issuer': 'the client certificate was not issued by the device certificate authority',
  expired: 'the client certificate has expired',
  'not-yet-valid': 'the client certificate is not valid yet',
  revoked: 'the client certificate has been revoked',
  'no-device-id': 'the client certificate names no device',
};

export const NO_CERTIFICATE = 'no client certificate';
export const NO_VERIFIER = 'device certificates are not configured on this server';
export const VERIFIER_FAILED = 'the client certificate could not be checked';

export function establishDevice(route: RouteConfig, certificate: PresentedCertificate | undefined, verifier: DeviceCertificateVerifier | undefined): DeviceOutcome {
  if (route.clientCertificate === 'off') return { kind: 'unknown' };
  const problem = certificateProblem(certificate, verifier);
  if (typeof problem !== 'string') return problem;
  return route.clientCertificate === 'required' ? { kind: 'refused', problem } : { kind: 'unknown', problem };
}

function certificateProblem(certificate: PresentedCertificate | undefined, verifier: DeviceCertificateVerifier | undefined): string | { readonly kind: 'device'; readonly deviceId: string } {
  // No verifier means no device trust anchors: nothing can name a device, and a route that
  // requires one refuses everything (fail closed) rather than letting requests through.
  if (verifier === undefined) return certificate === undefined ? NO_CERTIFICATE : NO_VERIFIER;
  if (certificate === undefined || certificate.der.byteLength === 0) return NO_CERTIFICATE;
  let check;
  try {
    check = verifier.verify(certificate.der);
  } catch {
    // A verifier bug or a store failure: no device (less trust), never an accepted certificate.
    return VERIFIER_FAILED;
  }
  if (check.ok) return check.deviceId === '' ? PROBLEM_TEXT['no-device-id'] : { kind: 'device', deviceId: check.deviceId };
  return PROBLEM_TEXT[check.problem] ?? VERIFIER_FAILED;
}
