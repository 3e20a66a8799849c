// Issues an X.509 v3 certificate (RFC 5280) for an EC key: the ASN.1 structures come from
// @peculiar/asn1-x509, the signature from node:crypto (the issuer key may be P-256 or P-384). Used
// for the proxy's self-signed development certificate, the device CA and its device certificates,
// and by tests for throwaway CAs. (The higher-level @peculiar/x509 needs a reflect-metadata
// polyfill at import time, which this project does not ship.)
import type { KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { authorityKeyIdentifier, distinguishedName, extension, issuerName, keyIdentifier, signTbs, signatureAlgorithm, type CertificateIssuer } from './certificate-issuer.js';
import { randomSerial, serialOctets } from './der-integer.js';
import { toPem } from './pem.js';

export type { CertificateIssuer } from './certificate-issuer.js';

export interface CertificateTemplate {
  readonly subjectCn: string;
  /** The certified key. */
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA certificate (keyCertSign, cRLSign) or an end-entity one (digitalSignature). */
  readonly ca: boolean;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** URI subjectAltNames (RFC 5280 §4.2.1.6), e.g. a device id `urn:tenet:device:laptop-1`. */
  readonly uris?: readonly string[];
  /** Adds extendedKeyUsage serverAuth (RFC 5280 §4.2.1.12). */
  readonly serverAuth?: boolean;
  /** Adds extendedKeyUsage clientAuth (TLS client / device certificates). */
  readonly clientAuth?: boolean;
  /** Serial as lower-case hex of positive DER octets; default: 128 random bits. */
  readonly serial?: string;
}

/** The certificate as PEM. */
export function issueCertificate(template: CertificateTemplate, issuer: CertificateIssuer): string {
  return toPem('CERTIFICATE', issueCertificateDer(template, issuer));
}

/** The certificate as DER. */
export function issueCertificateDer(template: CertificateTemplate, issuer: CertificateIssuer): Uint8Array {
  const { algorithm, digest } = signatureAlgorithm(issuer.privateKey);
  const subjectPublicKeyInfo = AsnConvert.parse(template.publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo);
  const names = [
    ...(template.dnsNames ?? []).map((dNSName) => new asn.GeneralName({ dNSName })),
    ...(template.ipAddresses ?? []).map((iPAddress) => new asn.GeneralName({ iPAddress })),
    ...(template.uris ?? []).map((uniformResourceIdentifier) => new asn.GeneralName({ uniformResourceIdentifier })),
  ];
  const usages = [...(template.serverAuth === true ? [asn.id_kp_serverAuth] : []), ...(template.clientAuth === true ? [asn.id_kp_clientAuth] : [])];
  const extensions = [
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: template.ca })),
    extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(template.ca ? asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign : asn.KeyUsageFlags.digitalSignature)),
    extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyIdentifier(template.publicKey))),
    extension(asn.id_ce_authorityKeyIdentifier, false, authorityKeyIdentifier(issuer)),
    ...(usages.length === 0 ? [] : [extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage(usages))]),
    ...(names.length === 0 ? [] : [extension(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(names))]),
  ];
  const tbsCertificate = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: serialOctets(template.serial ?? randomSerial()),
    signature: algorithm,
    issuer: issuerName(issuer),
    validity: new asn.Validity({ notBefore: template.notBefore, notAfter: template.notAfter }),
    subject: distinguishedName(template.subjectCn),
    subjectPublicKeyInfo,
    extensions: new asn.Extensions(extensions),
  });
  const signatureValue = signTbs(AsnConvert.serialize(tbsCertificate), issuer.privateKey, digest);
  const certificate = new asn.Certificate({ tbsCertificate, signatureAlgorithm: algorithm, signatureValue });
  return new Uint8Array(AsnConvert.serialize(certificate));
}
