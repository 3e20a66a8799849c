// Client-certificate authentication: the TLS layer has already verified the chain against the
// configured CA (the listener runs with requestCert); here we require that it did
// (`authorized === true`) and that the certificate names an allowed client by subject CN or
// subjectAltName (RFC 9525 prefers SAN identities; CN is accepted for private CAs that use it).
import { TenetError } from '../errors.js';
import type { ApiCaller } from './caller.js';
import type { MtlsClient } from './deps.js';

/** The part of a TLS socket we read; a plain TCP socket has neither member. */
export interface PeerSocket {
  readonly authorized?: boolean;
  getPeerCertificate?(detailed?: boolean): unknown;
}

interface PeerCertificateFields {
  readonly subject?: { readonly CN?: string | readonly string[] };
  readonly subjectaltname?: string;
}

// Node renders SANs as `DNS:a, URI:spiffe://x, IP Address:10.0.0.1`, quoting values that contain
// separators as JSON strings (since the CVE-2021-44533 fix).
const SAN_ENTRY = /(?:^|, )(?:DNS|URI|email|IP Address|DirName|othername:[^:]*):("(?:[^"\\]|\\.)*"|[^,]*)/g;

/** Every identity a certificate asserts: its subject CN(s) and SAN values. */
export function certificateIdentities(certificate: unknown): string[] {
  if (typeof certificate !== 'object' || certificate === null) return [];
  const fields = certificate as PeerCertificateFields;
  const names: string[] = [];
  const cn = fields.subject?.CN;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) names.push(...cn.filter((value): value is string => typeof value === 'string'));
  if (typeof fields.subjectaltname === 'string') {
    for (const match of fields.subjectaltname.matchAll(SAN_ENTRY)) {
      const raw = match[1] ?? '';
      names.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
    }
  }
  return names.filter((name) => name !== '');
}

/** The allowed client a verified peer certificate names, or a TenetError `TENET_ERR_AUTH_*`. */
export function verifyClientCertificate(socket: PeerSocket, clients: readonly MtlsClient[]): ApiCaller {
  if (typeof socket.getPeerCertificate !== 'function') {
    throw new TenetError('TENET_ERR_AUTH_MISSING_CREDENTIALS', 'A client certificate is required (the connection is not TLS).');
  }
  const certificate = socket.getPeerCertificate(false);
  const identities = certificateIdentities(certificate);
  if (identities.length === 0) {
    throw new TenetError('TENET_ERR_AUTH_MISSING_CREDENTIALS', 'A client certificate is required.');
  }
  // INVARIANT: a certificate the TLS layer could not verify never authenticates, whatever it names.
  if (socket.authorized !== true) {
    throw new TenetError('TENET_ERR_AUTH_INVALID_CERTIFICATE', 'The client certificate was not verified by the configured CA.');
  }
  const client = clients.find((candidate) => identities.includes(candidate.subject));
  if (client === undefined) {
    throw new TenetError('TENET_ERR_AUTH_UNKNOWN_CLIENT', 'The client certificate does not name an allowed API client.');
  }
  return { name: client.subject, scopes: client.scopes, via: 'mtls' };
}
