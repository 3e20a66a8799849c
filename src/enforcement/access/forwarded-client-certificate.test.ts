import { beforeAll, describe, expect, it } from 'vitest';
import { issueClientCertificate, type TestClientCertificate } from '../proxy/testing/client-certificates.js';
import { createTestCa } from '../proxy/testing/test-pki.js';
import { forwardedClientCertificate, MAX_FORWARDED_CERTIFICATE_BYTES } from './forwarded-client-certificate.js';

let leaf: TestClientCertificate;
let issuerPem: string;

beforeAll(() => {
  const ca = createTestCa('Device CA');
  issuerPem = ca.certPem;
  leaf = issueClientCertificate(ca, 'laptop-1');
});

function derOf(values: readonly string[]): Buffer | undefined {
  const result = forwardedClientCertificate(values);
  if (!result.ok) throw new Error(result.problem);
  expect(result.certificate?.via ?? 'forwarded').toBe('forwarded');
  return result.certificate === undefined ? undefined : Buffer.from(result.certificate.der);
}

/** Go's url.QueryEscape, as Traefik applies it. */
const queryEscape = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');

describe('forwardedClientCertificate', () => {
  it('reads nginx $ssl_client_escaped_cert and Envoy %DOWNSTREAM_PEER_CERT% (URL-escaped PEM)', () => {
    expect(derOf([encodeURIComponent(leaf.certPem)])).toEqual(leaf.der);
    // nginx escapes only what it must: line breaks and a few others; "+", "/" and "=" stay.
    expect(derOf([leaf.certPem.replace(/\n/g, '%0A').replace(/ /g, '%20')])).toEqual(leaf.der);
  });

  it('reads Caddy certificate_der_base64 (base64 DER) and Traefik PassTLSClientCert (URL-escaped base64, chain comma-separated)', () => {
    const base64 = leaf.der.toString('base64');
    expect(derOf([base64])).toEqual(leaf.der);
    const issuerBase64 = issuerPem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(derOf([`${queryEscape(base64)}%2C${queryEscape(issuerBase64)}`])).toEqual(leaf.der);
    expect(derOf([`${queryEscape(base64)},${queryEscape(issuerBase64)}`])).toEqual(leaf.der);
  });

  it('reads no certificate from an absent or empty header (a proxy with nothing to pass)', () => {
    expect(derOf([])).toBeUndefined();
    expect(derOf([''])).toBeUndefined();
    expect(derOf(['  '])).toBeUndefined();
  });

  it('refuses repeated, oversize, badly escaped and non-certificate values', () => {
    const base64 = leaf.der.toString('base64');
    const problem = (values: readonly string[]) => {
      const result = forwardedClientCertificate(values);
      return result.ok ? 'accepted' : result.problem;
    };
    expect(problem([base64, base64])).toBe('appears more than once');
    expect(problem(['A'.repeat(MAX_FORWARDED_CERTIFICATE_BYTES + 4)])).toMatch(/longer than/);
    expect(problem(['%E0%A4%A'])).toBe('is not validly URL-escaped');
    expect(problem(['not a certificate!'])).toBe('is neither a PEM certificate nor base64 DER');
    expect(problem([Buffer.from('just some text that is long enough to pass the size check, really').toString('base64')])).toBe('does not hold a DER certificate');
    expect(problem([encodeURIComponent('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n')])).toBe('is neither a PEM certificate nor base64 DER');
  });
});
