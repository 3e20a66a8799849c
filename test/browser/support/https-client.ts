// A plain HTTPS client for attacks on the stack: any Host header, any headers, the quickstart's
// self-signed certificate accepted (rejectUnauthorized: false — this client is the attacker, not a
// victim's browser), no redirects followed, no connection reuse.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { isIP } from 'node:net';

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpsCall {
  readonly method?: string;
  readonly path: string;
  /** The Host header (default `localhost:<port>`). */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string;
}

/** One request to the proxy on 127.0.0.1:`port`. */
export function httpsCall(port: number, call: HttpsCall): Promise<HttpsAnswer> {
  const host = call.host ?? `localhost:${port}`;
  const hostname = host.replace(/:\d+$/, '');
  // SNI names a host, never an IP address (RFC 6066 §3).
  const sni = isIP(hostname) === 0 ? { servername: hostname } : {};
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: call.method ?? 'GET',
        path: call.path,
        ...sni,
        headers: { host, ...(call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) }), ...call.headers },
        rejectUnauthorized: false,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(call.body);
  });
}
