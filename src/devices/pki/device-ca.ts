// The device certificate authority (NIST SP 800-207 §3.3: the device is authenticated, not just
// the user). Issues short-lived end-entity certificates that name one device in a URI
// subjectAltName, and signs the CRL relying parties fetch. The CA itself is built in (generated
// beside the database), an external CA's certificate and key, or verify-only (a bundle of trust
// anchors and no key: enrollment is then impossible and issue() refuses).
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { DevicePkiConfig } from '../../config/devices-schema.js';
import { durationSeconds } from '../../config/duration.js';
import { TenetError } from '../../errors.js';
import { issuerFromCertificate, type CertificateIssuer } from '../../pki/certificate-issuer.js';
import { issueCrl } from '../../pki/certificate-revocation-list.js';
import { randomSerial } from '../../pki/der-integer.js';
import { issueCertificateDer } from '../../pki/issue-certificate.js';
import { toPem } from '../../pki/pem.js';
import { readCertificate } from '../../pki/read-certificate.js';
import { loadCaBundle, loadExternalCa, loadOrCreateBuiltinCa } from './device-ca-files.js';
import { deviceIdUri } from './device-id.js';
import type { DeviceAuthority, DeviceCertificateRequest, IssuedCertificate, RevokedEntry } from '../device-authority.js';

/** Device certificates start this far in the past, so a verifier whose clock is behind accepts them at once. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface DeviceCaFiles {
  /** Where the built-in CA lives (beside the database). */
  readonly directory: string;
  /** Resolves a config-relative path (devices.pki.caCertificate, caKey). */
  resolve(path: string): string;
}

export class DeviceCertificateAuthority implements DeviceAuthority {
  readonly canIssue: boolean;
  /** The CA certificate (builtin, external) or the whole bundle (verify-only), PEM. */
  readonly caCertificatePem: string;
  /** Each trusted CA certificate, PEM: what a verifier of device certificates trusts. */
  readonly trustAnchorsPem: readonly string[];

  readonly #config: DevicePkiConfig;
  readonly #clock: () => Date;
  readonly #issuer: CertificateIssuer | undefined;
  readonly #caNotAfter: Date | undefined;

  private constructor(config: DevicePkiConfig, clock: () => Date, anchors: readonly X509Certificate[], signing: { certificate: X509Certificate; privateKey: KeyObject } | undefined) {
    this.#config = config;
    this.#clock = clock;
    this.trustAnchorsPem = anchors.map((anchor) => anchor.toString());
    this.caCertificatePem = this.trustAnchorsPem.join('');
    this.canIssue = signing !== undefined;
    this.#issuer = signing === undefined ? undefined : issuerFromCertificate(signing.certificate, signing.privateKey);
    this.#caNotAfter = signing === undefined ? undefined : readCertificate(signing.certificate.raw).notAfter;
  }

  static async open(config: DevicePkiConfig, files: DeviceCaFiles, clock: () => Date = () => new Date()): Promise<DeviceCertificateAuthority> {
    switch (config.mode) {
      case 'builtin': {
        const signing = await loadOrCreateBuiltinCa(files.directory, clock());
        return new DeviceCertificateAuthority(config, clock, [signing.certificate], signing);
      }
      case 'external': {
        if (config.caCertificate === undefined || config.caKey === undefined) {
          throw new TenetError('TENET_ERR_CONFIG_DEVICE_CA_MISSING', 'devices.pki.mode external needs both caCertificate and caKey');
        }
        const signing = await loadExternalCa(files.resolve(config.caCertificate), files.resolve(config.caKey));
        return new DeviceCertificateAuthority(config, clock, [signing.certificate], signing);
      }
      case 'verify-only': {
        if (config.caCertificate === undefined) throw new TenetError('TENET_ERR_CONFIG_DEVICE_CA_MISSING', 'devices.pki.mode verify-only needs caCertificate (the CA bundle)');
        return new DeviceCertificateAuthority(config, clock, await loadCaBundle(files.resolve(config.caCertificate)), undefined);
      }
    }
  }

  /** Certifies a device key: end-entity, digitalSignature, clientAuth, URI SAN naming the device, subject CN = device id. */
  issue(request: DeviceCertificateRequest): IssuedCertificate {
    const issuer = this.#signer();
    const uri = deviceIdUri(this.#config.deviceIdUriPrefix, request.deviceId);
    const key = request.publicKey;
    if (key.type !== 'public' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TenetError('TENET_ERR_DEVICE_KEY_INVALID', 'a device key must be an EC P-256 public key');
    }
    if (!Number.isSafeInteger(request.lifetimeSeconds) || request.lifetimeSeconds <= 0) {
      throw new TenetError('TENET_ERR_DEVICE_LIFETIME_INVALID', 'a certificate lifetime is a positive whole number of seconds');
    }
    const now = this.#clock().getTime();
    // A device certificate never outlives its CA (RFC 5280 §6.1.3 would reject it then anyway).
    const notAfter = Math.min(now + request.lifetimeSeconds * 1000, this.#caNotAfter?.getTime() ?? Number.POSITIVE_INFINITY);
    if (notAfter <= now) throw new TenetError('TENET_ERR_DEVICE_CA_EXPIRED', 'the device CA certificate has expired: renew or replace it');
    const der = issueCertificateDer(
      { subjectCn: request.deviceId, publicKey: key, notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(notAfter), ca: false, uris: [uri], clientAuth: true, serial: randomSerial() },
      issuer,
    );
    const facts = readCertificate(der);
    return { pem: toPem('CERTIFICATE', der), der: facts.der, serial: facts.serial, fingerprint: facts.fingerprint, notBefore: facts.notBefore, notAfter: facts.notAfter };
  }

  /** The CRL (DER) listing `revoked`, valid from now for devices.pki.crlLifetime. */
  crl(revoked: readonly RevokedEntry[], crlNumber: bigint): Uint8Array {
    const issuer = this.#signer();
    const now = this.#clock();
    return issueCrl({
      issuer,
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + durationSeconds(this.#config.crlLifetime) * 1000),
      crlNumber,
      revoked: revoked.map((entry) => {
        const revokedAt = new Date(entry.revokedAt);
        if (Number.isNaN(revokedAt.getTime())) throw new TenetError('TENET_ERR_INTERNAL_REVOCATION_DATE', `revocation of ${entry.serial} has no valid date`);
        return { serial: entry.serial, revokedAt, ...(entry.reason === undefined ? {} : { reason: entry.reason }) };
      }),
    });
  }

  #signer(): CertificateIssuer {
    if (this.#issuer === undefined) {
      throw new TenetError('TENET_ERR_DEVICE_CA_CANNOT_ISSUE', 'devices.pki.mode is verify-only: Tenet holds no CA key, so it cannot issue device certificates or CRLs');
    }
    return this.#issuer;
  }
}
