// What device identity needs from the certificate authority (src/devices/pki/device-ca.ts): issue
// short-lived device certificates and sign CRLs. A port, so enrollment logic is tested apart from
// key files.
import type { KeyObject } from 'node:crypto';

export interface IssuedCertificate {
  readonly pem: string;
  readonly der: Buffer;
  /** Lower-case hex of the serial's encoded octets. */
  readonly serial: string;
  /** Hex SHA-256 of the DER. */
  readonly fingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface RevokedEntry {
  readonly serial: string;
  readonly revokedAt: string;
  readonly reason?: string;
}

export interface DeviceCertificateRequest {
  readonly deviceId: string;
  /** The device's key (EC P-256), from a verified certification request. */
  readonly publicKey: KeyObject;
  readonly lifetimeSeconds: number;
}

export interface DeviceAuthority {
  /** False in verify-only mode: certificates come from another CA, Tenet enrolls nobody. */
  readonly canIssue: boolean;
  readonly caCertificatePem: string;
  issue(request: DeviceCertificateRequest): IssuedCertificate;
  /** A CRL (DER) listing `revoked`, numbered `crlNumber`. */
  crl(revoked: readonly RevokedEntry[], crlNumber: bigint): Uint8Array;
}
