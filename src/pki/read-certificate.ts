// Reads an X.509 certificate (DER or PEM) into the facts Tenet records and checks: serial as
// encoded, SHA-256 fingerprint, validity, URI subjectAltNames and whether it is a CA. URIs come
// from the parsed extension (RFC 5280 §4.2.1.6), not from Node's `subjectAltName` text, which
// quotes and escapes some values and so cannot be split safely.
import { X509Certificate, createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';

export interface CertificateFacts {
  readonly der: Buffer;
  /** Lower-case hex of the serial's encoded octets. */
  readonly serial: string;
  /** Lower-case hex SHA-256 of the DER. */
  readonly fingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** URI subjectAltNames, in order. */
  readonly uris: string[];
  /** extendedKeyUsage purposes (OIDs, RFC 5280 §4.2.1.12); undefined when the extension is absent (any purpose). */
  readonly extendedKeyUsages: string[] | undefined;
  /** basicConstraints cA = TRUE. */
  readonly isCa: boolean;
  readonly x509: X509Certificate;
}

/** Throws when the input is not one certificate (Node's or the ASN.1 parser's error). */
export function readCertificate(derOrPem: Uint8Array | string): CertificateFacts {
  const x509 = new X509Certificate(typeof derOrPem === 'string' ? derOrPem : Buffer.from(derOrPem));
  const der = x509.raw;
  const parsed = AsnConvert.parse(der, asn.Certificate);
  return {
    der,
    serial: Buffer.from(parsed.tbsCertificate.serialNumber).toString('hex'),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    notBefore: parsed.tbsCertificate.validity.notBefore.getTime(),
    notAfter: parsed.tbsCertificate.validity.notAfter.getTime(),
    uris: uriNames(parsed),
    extendedKeyUsages: extendedKeyUsages(parsed),
    isCa: x509.ca,
    x509,
  };
}

function findExtension(certificate: asn.Certificate, id: string): asn.Extension | undefined {
  return certificate.tbsCertificate.extensions?.find((extension) => extension.extnID === id);
}

function extendedKeyUsages(certificate: asn.Certificate): string[] | undefined {
  const eku = findExtension(certificate, asn.id_ce_extKeyUsage);
  return eku === undefined ? undefined : [...AsnConvert.parse(eku.extnValue, asn.ExtendedKeyUsage)];
}

function uriNames(certificate: asn.Certificate): string[] {
  const san = findExtension(certificate, asn.id_ce_subjectAltName);
  if (san === undefined) return [];
  return AsnConvert.parse(san.extnValue, asn.SubjectAlternativeName).flatMap((name) => (name.uniformResourceIdentifier === undefined ? [] : [name.uniformResourceIdentifier]));
}
