// A client certificate as a trusted proxy forwards it (forward-auth header, Envoy ext_authz
// attribute) → DER. The forms in use:
//   nginx   $ssl_client_escaped_cert            URL-escaped PEM (%0A for the line breaks)
//   Envoy   source.certificate, %DOWNSTREAM_PEER_CERT%   URL-escaped PEM
//   Caddy   {http.request.tls.client.certificate_der_base64}   base64 DER
//   Traefik passTLSClientCert pem: true (X-Forwarded-Tls-Client-Cert)   URL-escaped base64 DER
//           without the PEM armour, the chain comma-separated, leaf first
// A header cannot carry a plain multi-line PEM, so that form does not occur. The result is not
// trusted yet: `authorizeHttp` verifies it. A value that cannot be read names no device (the caller
// logs the problem at debug): it is never an error answer, since a proxy without a certificate to
// pass sends an empty value.
import type { PresentedCertificate } from './http-access.js';

/** Longest accepted value: a device certificate is 1–2 KiB; escaped PEM roughly doubles that. */
export const MAX_FORWARDED_CERTIFICATE_BYTES = 16 * 1024;

export type ForwardedCertificate =
  | { readonly ok: true; readonly certificate: PresentedCertificate | undefined }
  | { readonly ok: false; readonly problem: string };

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Every value the proxy sent under the header name (or the Envoy attribute, as one value).
 * None or only an empty value = no certificate; more than one value = refused (a proxy sets it
 * once, so a second copy came from the client).
 */
export function forwardedClientCertificate(values: readonly string[]): ForwardedCertificate {
  if (values.length === 0) return { ok: true, certificate: undefined };
  if (values.length > 1) return { ok: false, problem: 'appears more than once' };
  const value = (values[0] ?? '').trim();
  if (value === '') return { ok: true, certificate: undefined };
  if (value.length > MAX_FORWARDED_CERTIFICATE_BYTES) return { ok: false, problem: `is longer than ${MAX_FORWARDED_CERTIFICATE_BYTES} bytes` };
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return { ok: false, problem: 'is not validly URL-escaped' };
  }
  const pem = PEM_BLOCK.exec(text);
  // Traefik: the chain's certificates are joined with ","; the first is the client's own.
  const base64 = (pem === null ? (text.split(',', 1)[0] ?? '') : (pem[1] ?? '')).replace(/\s+/g, '');
  if (base64 === '' || !BASE64.test(base64)) return { ok: false, problem: 'is neither a PEM certificate nor base64 DER' };
  const der = Buffer.from(base64, 'base64');
  // A DER certificate is a SEQUENCE (RFC 5280 §4.1); the verifier parses the rest.
  if (der.byteLength < 64 || der[0] !== 0x30) return { ok: false, problem: 'does not hold a DER certificate' };
  return { ok: true, certificate: { der: new Uint8Array(der), via: 'forwarded' } };
}
