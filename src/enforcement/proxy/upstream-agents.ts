// One keep-alive connection pool per upstream (HTTP/1.1 persistent connections, RFC 9112 §9.3):
// routes that share an upstream origin and CA share its pool, so a busy route does not open a new
// TCP (and TLS) connection per request.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RouteConfig } from '../../config/enforcement-schema.js';

export interface UpstreamTarget {
  readonly url: URL;
  /** Host header value for the upstream (its authority as configured). */
  readonly host: string;
  /** Opens a request to this upstream through its pool (or without one, for upgrades). */
  request(options: { method: string; path: string; headers: RequestOptions['headers']; pooled: boolean }): ClientRequest;
}

export class UpstreamAgents {
  readonly #agents = new Map<string, HttpAgent>();
  /** Per route object (stable until a reload replaces the routes): the URL is parsed and the CA read once. */
  readonly #targets = new WeakMap<RouteConfig, UpstreamTarget>();
  readonly #upstreamCa: (route: RouteConfig) => Buffer | undefined;

  constructor(upstreamCa: (route: RouteConfig) => Buffer | undefined) {
    this.#upstreamCa = upstreamCa;
  }

  /** The route's upstream, or undefined for a route without one (forward-auth / ext_authz only). */
  target(route: RouteConfig): UpstreamTarget | undefined {
    if (route.upstream === undefined) return undefined;
    let target = this.#targets.get(route);
    if (!target) {
      target = this.#create(route, route.upstream);
      this.#targets.set(route, target);
    }
    return target;
  }

  #create(route: RouteConfig, upstream: string): UpstreamTarget {
    const url = new URL(upstream);
    const secure = url.protocol === 'https:';
    const ca = secure ? this.#upstreamCa(route) : undefined;
    const key = `${url.origin}\n${route.upstreamCa ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = secure ? new HttpsAgent({ keepAlive: true, ...(ca === undefined ? {} : { ca }) }) : new HttpAgent({ keepAlive: true });
      this.#agents.set(key, agent);
    }
    const pool = agent;
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    // URL keeps IPv6 literals bracketed; sockets want them bare.
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    return {
      url,
      host: url.host,
      request: ({ method, path, headers, pooled }) => {
        const options: RequestOptions = { hostname, port, method, path, headers, setHost: false };
        if (!secure) return httpRequest({ ...options, agent: pooled ? pool : false });
        return httpsRequest({
          ...options,
          agent: pooled ? pool : false,
          // For a pooled request the agent's CA applies; an unpooled one (upgrade) needs it itself.
          ...(ca === undefined ? {} : { ca }),
          // SNI names the upstream host, never an IP literal (RFC 6066 §3).
          ...(/^[\d.]+$|:/.test(hostname) ? {} : { servername: hostname }),
          minVersion: 'TLSv1.2',
        });
      },
    };
  }

  /** Closes every pooled connection (at shutdown). */
  destroy(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
  }
}

/** The upstream request path: the upstream URL's base path followed by the client's path and query. */
export function upstreamPath(url: URL, path: string): string {
  const base = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return `${base}${path}`;
}
