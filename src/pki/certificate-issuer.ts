// Who signs a certificate or CRL, and how: the issuer's name as it must appear in what it signs
// (RFC 5280 §4.1.2.4: byte-for-byte the subject of the issuer's certificate), its key identifier
// (§4.2.1.1: the authority key identifier must match the issuer's subject key identifier), and the
// ECDSA signature algorithm that fits its key (P-256 → ecdsa-with-SHA256, P-384 → SHA384;
// RFC 5758 §3.2, parameters absent).
import { X509Certificate, createHash, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { TenetError } from '../errors.js';
import { toArrayBuffer } from './der-integer.js';

const COMMON_NAME = '2.5.4.3';

export const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
export const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';

/**
 * The signer. Tenet's own CAs are named by a CN; an external CA by the DER `Name` from its
 * certificate (use `issuerFromCertificate`), which may carry O, C and other attributes.
 */
export type CertificateIssuer = ({ readonly cn: string } | { readonly name: Uint8Array }) & {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  /** The issuer certificate's subject key identifier; default: RFC 5280 §4.2.1.2 method (1) of `publicKey`. */
  readonly keyIdentifier?: Uint8Array;
};

/** The issuer of an existing CA certificate and its private key (name and key identifier as the certificate has them). */
export function issuerFromCertificate(certificate: X509Certificate, privateKey: KeyObject): CertificateIssuer {
  const parsed = AsnConvert.parse(certificate.raw, asn.Certificate);
  const name = new Uint8Array(AsnConvert.serialize(parsed.tbsCertificate.subject));
  const extension = parsed.tbsCertificate.extensions?.find((candidate) => candidate.extnID === asn.id_ce_subjectKeyIdentifier);
  const base = { name, publicKey: certificate.publicKey, privateKey };
  if (extension === undefined) return base;
  const keyIdentifier = AsnConvert.parse(extension.extnValue, asn.SubjectKeyIdentifier);
  return { ...base, keyIdentifier: new Uint8Array(keyIdentifier.buffer) };
}

export function issuerName(issuer: CertificateIssuer): asn.Name {
  return 'name' in issuer ? AsnConvert.parse(issuer.name, asn.Name) : distinguishedName(issuer.cn);
}

export function distinguishedName(cn: string): asn.Name {
  return new asn.Name([new asn.RelativeDistinguishedName([new asn.AttributeTypeAndValue({ type: COMMON_NAME, value: new asn.AttributeValue({ utf8String: cn }) })])]);
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bytes. */
export function keyIdentifier(publicKey: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo);
  return toArrayBuffer(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest());
}

export function authorityKeyIdentifier(issuer: CertificateIssuer): asn.AuthorityKeyIdentifier {
  const id = issuer.keyIdentifier === undefined ? keyIdentifier(issuer.publicKey) : toArrayBuffer(issuer.keyIdentifier);
  return new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(id) });
}

/** The signature algorithm and digest for the issuer's key; other key types are refused. */
export function signatureAlgorithm(privateKey: KeyObject): { readonly algorithm: asn.AlgorithmIdentifier; readonly digest: 'sha256' | 'sha384' } {
  const curve = privateKey.asymmetricKeyType === 'ec' ? privateKey.asymmetricKeyDetails?.namedCurve : undefined;
  if (curve === 'prime256v1') return { algorithm: new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }), digest: 'sha256' };
  if (curve === 'secp384r1') return { algorithm: new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA384 }), digest: 'sha384' };
  throw new TenetError('TENET_ERR_INTERNAL_UNSUPPORTED_ISSUER_KEY', `unsupported issuer key (${privateKey.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}): expected EC P-256 or P-384`);
}

/** Signs DER `tbs` bytes with the issuer key (ECDSA signatures come out DER-encoded, as X.509 wants). */
export function signTbs(tbs: ArrayBuffer, privateKey: KeyObject, digest: 'sha256' | 'sha384'): ArrayBuffer {
  return toArrayBuffer(sign(digest, Buffer.from(tbs), privateKey));
}

export function extension(extnID: string, critical: boolean, value: unknown): asn.Extension {
  return new asn.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}
