// PKCS#10 certification requests (RFC 2986): the agent makes one for the device key it generated,
// the server reads one before it certifies the key. Reading is strict because the request comes
// from an unauthenticated device: one PEM block, DER that parses, an EC P-256 key, and a
// self-signature that verifies with that key (proof of possession, RFC 2986 §3 and §4.2).
// Requested attributes (extensionRequest and the like) are ignored: the CA alone decides what a
// device certificate says.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import * as csr from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { TenetError } from '../errors.js';
import { ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, distinguishedName } from './certificate-issuer.js';
import { toArrayBuffer } from './der-integer.js';
import { readPemBlocks, toPem } from './pem.js';

const PEM_LABEL = 'CERTIFICATE REQUEST';
const MAX_PEM_BYTES = 16 * 1024;
const COMMON_NAME = '2.5.4.3';
const DIGEST_BY_ALGORITHM: Readonly<Record<string, 'sha256' | 'sha384'>> = { [ECDSA_WITH_SHA256]: 'sha256', [ECDSA_WITH_SHA384]: 'sha384' };

/** A PKCS#10 request for `keys` (EC P-256) with subject CN `subjectCn`, signed ecdsa-with-SHA256, as PEM. */
export function createCertificationRequest(keys: { publicKey: KeyObject; privateKey: KeyObject }, subjectCn: string): string {
  if (!isP256(keys.publicKey)) throw new TenetError('TENET_ERR_DEVICE_CSR_INVALID', 'the device key must be an EC P-256 key');
  const certificationRequestInfo = new csr.CertificationRequestInfo({
    version: 0,
    subject: distinguishedName(subjectCn),
    subjectPKInfo: AsnConvert.parse(keys.publicKey.export({ type: 'spki', format: 'der' }), asn.SubjectPublicKeyInfo),
    attributes: new csr.Attributes(),
  });
  const signature = sign('sha256', Buffer.from(AsnConvert.serialize(certificationRequestInfo)), keys.privateKey);
  const request = new csr.CertificationRequest({
    certificationRequestInfo,
    signatureAlgorithm: new asn.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 }),
    signature: toArrayBuffer(signature),
  });
  return toPem(PEM_LABEL, new Uint8Array(AsnConvert.serialize(request)));
}

export interface CertificationRequestContent {
  /** The key to certify; its possession was proved by the request's signature. */
  readonly publicKey: KeyObject;
  /** The subject's CN, if any: a suggestion from the device, never an identity. */
  readonly subjectCn: string | undefined;
}

/** Reads and checks a PEM certification request; throws TENET_ERR_DEVICE_CSR_INVALID naming the first problem. */
export function readCertificationRequest(pem: string): CertificationRequestContent {
  if (Buffer.byteLength(pem, 'utf8') > MAX_PEM_BYTES) invalid(`the request is larger than ${MAX_PEM_BYTES} bytes`);
  const blocks = readPemBlocks(pem);
  if (blocks === undefined || blocks.length !== 1 || blocks[0]?.label !== PEM_LABEL) invalid(`expected exactly one PEM "${PEM_LABEL}" block and nothing else`);
  const der = blocks[0].der;
  let request: csr.CertificationRequest;
  try {
    request = AsnConvert.parse(der, csr.CertificationRequest);
  } catch {
    invalid('the request is not valid DER (RFC 2986 CertificationRequest)');
  }
  // DER has one encoding: anything that does not re-encode to the same bytes (trailing data, BER forms) is refused.
  if (!Buffer.from(AsnConvert.serialize(request)).equals(der)) invalid('the request is not canonical DER');
  const info = request.certificationRequestInfo;
  if (info.version !== 0) invalid(`unsupported request version ${info.version}`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(AsnConvert.serialize(info.subjectPKInfo)), format: 'der', type: 'spki' });
  } catch {
    invalid('the request\'s public key cannot be read');
  }
  if (!isP256(publicKey)) invalid(`the key must be EC P-256 (got ${describeKey(publicKey)})`);
  const digest = DIGEST_BY_ALGORITHM[request.signatureAlgorithm.algorithm];
  if (digest === undefined) invalid(`unsupported signature algorithm ${request.signatureAlgorithm.algorithm}: expected ECDSA with SHA-256 or SHA-384`);
  const signed = request.certificationRequestInfoRaw === undefined ? undefined : Buffer.from(request.certificationRequestInfoRaw);
  if (signed === undefined || !verifySignature(digest, signed, publicKey, Buffer.from(request.signature))) {
    invalid('the request\'s signature does not verify with its key (no proof of possession)');
  }
  return { publicKey, subjectCn: commonName(info.subject) };
}

function verifySignature(digest: string, data: Buffer, publicKey: KeyObject, signature: Buffer): boolean {
  try {
    return verify(digest, data, publicKey, signature);
  } catch {
    return false;
  }
}

function commonName(name: asn.Name): string | undefined {
  for (const rdn of name) {
    for (const attribute of rdn) {
      if (attribute.type === COMMON_NAME) return attribute.value.toString();
    }
  }
  return undefined;
}

function isP256(key: KeyObject): boolean {
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

function describeKey(key: KeyObject): string {
  return [key.asymmetricKeyType ?? 'unknown', key.asymmetricKeyDetails?.namedCurve].filter((part) => part !== undefined).join(' ');
}

function invalid(message: string): never {
  throw new TenetError('TENET_ERR_DEVICE_CSR_INVALID', `invalid certification request: ${message}`);
}
