// Device certificates on the proxy's own TLS listener (mTLS). The listener *requests* a client
// certificate and never requires one at the TLS layer: whether a route needs a device is per route
// (route.clientCertificate), and a handshake failure would give the user a browser error instead
// of Tenet's page saying how to enroll. Any certificate is accepted by TLS (rejectUnauthorized:
// false); the pipeline's verifier decides whether it names a device, on every request.
//
// `ca` lists the device CA(s) in the CertificateRequest's certificate_authorities (RFC 8446
// §4.3.2, §4.2.4; RFC 5246 §7.4.4), so browsers offer only device certificates, not every
// certificate in the user's store.
//
// TLS session resumption: OpenSSL keeps the peer certificate in the session, so a resumed
// connection reports the certificate of the full handshake that created the session (and one
// resumed from a session without a certificate reports none). Resumption proves possession of that
// session's secret, which only the original client has. tls-client-certificate.test.ts checks this.
import type { TLSSocket } from 'node:tls';
import type { PresentedCertificate } from '../access/http-access.js';

/** What the composition root adds to the proxy's TLS settings to ask clients for device certificates. */
export interface ClientCertificateTls {
  /** PEM of the device CA certificate(s): the acceptable issuers named to clients. */
  readonly ca: Buffer | string;
}

/** node:tls server options for ClientCertificateTls. */
export function clientCertificateServerOptions(settings: ClientCertificateTls): { readonly requestCert: true; readonly rejectUnauthorized: false; readonly ca: Buffer | string } {
  return { requestCert: true, rejectUnauthorized: false, ca: settings.ca };
}

/**
 * The certificate is fixed for the life of a TLS connection (Node does not renegotiate on the
 * server side unless asked), so it is read once per socket. Only the bytes are remembered, never
 * whether they verified: revocation must apply to the next request on the same connection.
 */
const perSocket = new WeakMap<TLSSocket, PresentedCertificate | null>();

/** The leaf certificate the client presented on this TLS socket; undefined on plain TCP or without one. */
export function tlsClientCertificate(socket: unknown): PresentedCertificate | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (tls.encrypted !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  const known = perSocket.get(tls as TLSSocket);
  if (known !== undefined) return known ?? undefined;
  const peer = tls.getPeerCertificate(false);
  // Node returns {} when the client sent no certificate.
  const raw = peer !== null && typeof peer === 'object' && 'raw' in peer ? peer.raw : undefined;
  const presented: PresentedCertificate | null = raw instanceof Buffer && raw.byteLength > 0 ? { der: new Uint8Array(raw), via: 'tls' } : null;
  perSocket.set(tls as TLSSocket, presented);
  return presented ?? undefined;
}
