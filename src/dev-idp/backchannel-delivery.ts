// How the development IdP delivers OpenID Connect Back-Channel Logout 1.0 logout tokens (§2.5: a
// POST of `logout_token` to the client's backchannel_logout_uri). oidc-provider sends them through
// its `fetch` setting; this replaces the default for two development needs:
// - the quickstart's Tenet proxy listens on loopback with a self-signed certificate made at its
//   first start, so for loopback targets the certificate is not verified (the token is a signed
//   "log this user out" message, useful only to that target); other targets are verified against
//   the system CAs plus an optional extra CA;
// - oidc-provider's default dispatcher refuses special-use addresses (SSRF protection), loopback
//   included, which is exactly where the quickstart's proxy is. Targets here come only from the
//   clients the operator configured, never from a request.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

export interface DeliveryOptions {
  /** Extra PEM CA certificates trusted for non-loopback https targets. */
  readonly ca?: string;
}

/** The shape of oidc-provider's `fetch` setting (the global fetch's). */
type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function backchannelFetch(options: DeliveryOptions = {}): FetchLike {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(input instanceof Request ? input.url : input);
      const body = init.body === undefined || init.body === null ? undefined : String(init.body);
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const common = { method: init.method ?? 'GET', headers, ...(init.signal ? { signal: init.signal } : {}) };
      const onResponse = (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 502;
          const hasBody = ![101, 204, 205, 304].includes(status);
          resolve(new Response(hasBody ? Buffer.concat(chunks) : null, { status }));
        });
      };
      const outgoing =
        target.protocol === 'https:'
          ? httpsRequest(target, { ...common, ...tlsOptions(target, options) }, onResponse)
          : httpRequest(target, common, onResponse);
      outgoing.on('error', reject);
      outgoing.end(body);
    });
}

function tlsOptions(target: URL, options: DeliveryOptions): { rejectUnauthorized?: boolean; ca?: string[] } {
  if (isLoopbackHost(target.hostname)) return { rejectUnauthorized: false };
  if (options.ca === undefined) return {};
  // Node replaces the default CAs when `ca` is given; keep them and add the extra one.
  return { ca: [...rootCertificates, options.ca] };
}

/** localhost, 127.0.0.0/8 and ::1 (URL hostnames keep IPv6 brackets). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
