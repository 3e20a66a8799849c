// Verifies device certificates for the PEPs (DeviceCertificateVerifier in
// src/enforcement/access/http-access.ts). A device certificate must be issued directly by one of
// the trust anchors (no intermediates: Tenet's CA signs device certificates itself), be an
// end-entity certificate for TLS client authentication, and name exactly one device in a URI
// subjectAltName under the configured prefix. The costly part (parsing, signature) is cached per
// SHA-256 of the DER in a bounded LRU; time validity and revocation are checked on every call, so
// an expiry or a revocation takes effect on the very next request.
import { X509Certificate, createHash } from 'node:crypto';
import type { CertificateProblem, DeviceCertificateCheck, DeviceCertificateVerifier } from '../../enforcement/access/http-access.js';
import { TenetError } from '../../errors.js';
import { readCertificate } from '../../pki/read-certificate.js';
import { deviceIdFromUri } from './device-id.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DEFAULT_CACHE_SIZE = 1024;

export interface DeviceCertificateVerifierOptions {
  /** The CA certificates a device certificate may be issued by (DeviceCertificateAuthority.trustAnchorsPem). */
  readonly trustAnchorsPem: readonly string[];
  readonly deviceIdUriPrefix: string;
  /** Whether Tenet revoked this serial (lower-case hex); asked on every call, must be cheap. */
  isRevoked(serial: string): boolean;
  readonly clock?: () => Date;
  /** Certificates whose parse and signature check are remembered (default 1024). */
  readonly cacheSize?: number;
}

/** What does not change for a given DER: the result of parsing and of the signature check. */
type StaticCheck =
  | { readonly ok: false; readonly problem: CertificateProblem; readonly detail: string }
  | { readonly ok: true; readonly serial: string; readonly notBefore: Date; readonly notAfter: Date; readonly deviceId: string | undefined; readonly idProblem: string };

export class CachingDeviceCertificateVerifier implements DeviceCertificateVerifier {
  readonly #anchors: readonly X509Certificate[];
  readonly #prefix: string;
  readonly #isRevoked: (serial: string) => boolean;
  readonly #clock: () => Date;
  readonly #cacheSize: number;
  /** Insertion order is recency order: a hit is re-inserted, the oldest entry is evicted first. */
  readonly #cache = new Map<string, StaticCheck>();

  constructor(options: DeviceCertificateVerifierOptions) {
    this.#anchors = options.trustAnchorsPem.map((pem, index) => {
      try {
        return new X509Certificate(pem);
      } catch {
        throw new TenetError('TENET_ERR_CONFIG_DEVICE_CA_INVALID', `device trust anchor ${index + 1} is not a readable certificate`);
      }
    });
    this.#prefix = options.deviceIdUriPrefix;
    this.#isRevoked = options.isRevoked;
    this.#clock = options.clock ?? (() => new Date());
    this.#cacheSize = Math.max(1, options.cacheSize ?? DEFAULT_CACHE_SIZE);
  }

  verify(der: Uint8Array): DeviceCertificateCheck {
    const checked = this.#staticCheck(der);
    if (!checked.ok) return checked;
    const now = this.#clock().getTime();
    if (now > checked.notAfter.getTime()) return fail('expired', `expired at ${checked.notAfter.toISOString()}`);
    if (now < checked.notBefore.getTime()) return fail('not-yet-valid', `valid from ${checked.notBefore.toISOString()}`);
    let revoked: boolean;
    try {
      revoked = this.#isRevoked(checked.serial);
    } catch {
      // Fail closed: a revocation status that cannot be read is treated as revoked.
      return fail('revoked', 'revocation status unavailable');
    }
    if (revoked) return fail('revoked', `serial ${checked.serial} is revoked`);
    if (checked.deviceId === undefined) return fail('no-device-id', checked.idProblem);
    return { ok: true, deviceId: checked.deviceId, serial: checked.serial, notAfter: checked.notAfter };
  }

  #staticCheck(der: Uint8Array): StaticCheck {
    const key = createHash('sha256').update(der).digest('hex');
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const checked = this.#check(der);
    this.#cache.set(key, checked);
    if (this.#cache.size > this.#cacheSize) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    return checked;
  }

  #check(der: Uint8Array): StaticCheck {
    let facts: ReturnType<typeof readCertificate>;
    try {
      facts = readCertificate(der);
    } catch {
      return fail('malformed', 'not a DER X.509 certificate');
    }
    // Exactly the bytes parsed: no PEM, no trailing data after the certificate.
    if (!facts.der.equals(Buffer.from(der))) return fail('malformed', 'not a single DER certificate');
    if (!this.#anchors.some((anchor) => issuedBy(facts.x509, anchor))) return fail('untrusted-issuer', 'not issued by a trusted device CA');
    // A CA certificate (the anchor itself included) is not a device's identity.
    if (facts.isCa) return fail('untrusted-issuer', 'a CA certificate is not a device certificate');
    if (facts.extendedKeyUsages !== undefined && !facts.extendedKeyUsages.includes(CLIENT_AUTH)) return fail('untrusted-issuer', 'not a TLS client certificate (extendedKeyUsage)');
    const candidates = facts.uris.filter((uri) => uri.startsWith(this.#prefix));
    const base = { ok: true as const, serial: facts.serial, notBefore: facts.notBefore, notAfter: facts.notAfter };
    if (candidates.length !== 1) return { ...base, deviceId: undefined, idProblem: candidates.length === 0 ? 'no device id URI' : 'more than one device id URI' };
    const deviceId = deviceIdFromUri(this.#prefix, candidates[0] ?? '');
    return deviceId === undefined ? { ...base, deviceId: undefined, idProblem: 'device id URI is not valid' } : { ...base, deviceId, idProblem: '' };
  }
}

function issuedBy(certificate: X509Certificate, anchor: X509Certificate): boolean {
  try {
    return certificate.checkIssued(anchor) && certificate.verify(anchor.publicKey);
  } catch {
    return false;
  }
}

function fail(problem: CertificateProblem, detail: string): { readonly ok: false; readonly problem: CertificateProblem; readonly detail: string } {
  return { ok: false, problem, detail };
}
