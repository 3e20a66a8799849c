// Issues an X.509 v3 certificate (RFC 5280) for an ECDSA P-256 key: the ASN.1 structures come from
// @peculiar/asn1-x509, the signature from node:crypto. Used for the proxy's self-signed development
// certificate, and by tests for a throwaway CA. (The higher-level @peculiar/x509 needs a
// reflect-metadata polyfill at import time, which this project does not ship.)
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';

/** ecdsa-with-SHA256 (RFC 5758 §3.2: parameters absent). */
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';

export interface CertificateTemplate {
  readonly subjectCn: string;
  /** The certified key (P-256). */
  readonly publicKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA certificate (may sign certificates) or an end-entity one. */
  readonly ca: boolean;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Adds extendedKeyUsage serverAuth (RFC 5280 §4.2.1.12). */
  readonly serverAuth?: boolean;
}

/** Who signs: for a self-signed certificate, the subject itself. */
export interface CertificateIssuer {
  readonly cn: string;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** The certificate as PEM. */
export function issueCertificate(template: CertificateTemplate, issuer: CertificateIssuer): string {
  const signature = new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const subjectPublicKeyInfo = AsnConvert.parse(template.publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo);
  const names = [
    ...(template.dnsNames ?? []).map((dNSName) => new asn.GeneralName({ dNSName })),
    ...(template.ipAddresses ?? []).map((iPAddress) => new asn.GeneralName({ iPAddress })),
  ];
  const extensions = [
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints({ cA: template.ca })),
    extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(template.ca ? asn.KeyUsageFlags.keyCertSign | asn.KeyUsageFlags.cRLSign : asn.KeyUsageFlags.digitalSignature)),
    extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyIdentifier(template.publicKey))),
    extension(asn.id_ce_authorityKeyIdentifier, false, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(keyIdentifier(issuer.publicKey)) })),
    ...(template.serverAuth === true ? [extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage([asn.id_kp_serverAuth]))] : []),
    ...(names.length === 0 ? [] : [extension(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(names))]),
  ];
  const tbsCertificate = new asn.TBSCertificate({
    version: asn.Version.v3,
    serialNumber: serialNumber(),
    signature,
    issuer: distinguishedName(issuer.cn),
    validity: new asn.Validity({ notBefore: template.notBefore, notAfter: template.notAfter }),
    subject: distinguishedName(template.subjectCn),
    subjectPublicKeyInfo,
    extensions: new asn.Extensions(extensions),
  });
  const signatureValue = sign('sha256', Buffer.from(AsnConvert.serialize(tbsCertificate)), issuer.privateKey);
  const certificate = new asn.Certificate({ tbsCertificate, signatureAlgorithm: signature, signatureValue: toArrayBuffer(signatureValue) });
  const der = Buffer.from(AsnConvert.serialize(certificate));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}

function extension(extnID: string, critical: boolean, value: unknown): asn.Extension {
  return new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function distinguishedName(cn: string): asn.Name {
  return new asn.Name([new asn.RelativeDistinguishedName([new asn.AttributeTypeAndValue({ type: COMMON_NAME, value: new asn.AttributeValue({ utf8String: cn }) })])]);
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifier(publicKey: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo);
  return toArrayBuffer(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest());
}

/** RFC 5280 §4.1.2.2: positive, at most 20 octets, unpredictable; the first octet is 0x01–0x7f so the DER INTEGER is minimal and positive. */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) || 0x01;
  return toArrayBuffer(bytes);
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
