// Issues a certificate revocation list (RFC 5280 §5): v2, signed by the CA key, with the cRLNumber
// (§5.2.3) and authorityKeyIdentifier (§5.2.1) extensions every conforming CRL must carry, and the
// reason of each revoked certificate as a reasonCode entry extension (§5.3.1). Relying parties
// that cannot ask Tenet directly (nginx `ssl_crl`, Envoy, another PEP) fetch it as DER.
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { authorityKeyIdentifier, extension, issuerName, signTbs, signatureAlgorithm, type CertificateIssuer } from './certificate-issuer.js';
import { derInteger, serialOctets } from './der-integer.js';

export interface RevokedEntry {
  /** Serial as lower-case hex of the encoded octets (as readCertificate reports it). */
  readonly serial: string;
  readonly revokedAt: Date;
  /** RFC 5280 §5.3.1 reason name (`keyCompromise`, `superseded`, …); unknown or absent: no reason code (§5.3.1: omit rather than `unspecified`). */
  readonly reason?: string;
}

export interface CrlContent {
  readonly issuer: CertificateIssuer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Monotonically increasing (§5.2.3); at most 20 octets. */
  readonly crlNumber: bigint;
  readonly revoked: readonly RevokedEntry[];
}

/** The CRL as DER. */
export function issueCrl(content: CrlContent): Uint8Array {
  const { algorithm, digest } = signatureAlgorithm(content.issuer.privateKey);
  const revokedCertificates = content.revoked.map(
    (entry) =>
      new asn.RevokedCertificate({
        userCertificate: serialOctets(entry.serial),
        revocationDate: new asn.Time(entry.revokedAt),
        ...reasonExtensions(entry.reason),
      }),
  );
  const tbsCertList = new asn.TBSCertList({
    version: asn.Version.v2,
    signature: algorithm,
    issuer: issuerName(content.issuer),
    thisUpdate: new asn.Time(content.thisUpdate),
    nextUpdate: new asn.Time(content.nextUpdate),
    // §5.1.2.6: when there are no revoked certificates the list is absent, not empty.
    ...(revokedCertificates.length === 0 ? {} : { revokedCertificates }),
    crlExtensions: [
      extension(asn.id_ce_authorityKeyIdentifier, false, authorityKeyIdentifier(content.issuer)),
      new asn.Extension({ extnID: asn.id_ce_cRLNumber, critical: false, extnValue: new OctetString(derInteger(content.crlNumber)) }),
    ],
  });
  const signature = signTbs(AsnConvert.serialize(tbsCertList), content.issuer.privateKey, digest);
  return new Uint8Array(AsnConvert.serialize(new asn.CertificateList({ tbsCertList, signatureAlgorithm: algorithm, signature })));
}

function reasonExtensions(reason: string | undefined): { crlEntryExtensions?: asn.Extension[] } {
  const code = reason === undefined || reason === 'unspecified' ? undefined : reasonCode(reason);
  return code === undefined ? {} : { crlEntryExtensions: [extension(asn.id_ce_cRLReasons, false, new asn.CRLReason(code))] };
}

function reasonCode(reason: string): asn.CRLReasons | undefined {
  const code: unknown = (asn.CRLReasons as unknown as Record<string, unknown>)[reason];
  return typeof code === 'number' ? code : undefined;
}
