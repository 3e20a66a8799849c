// matchRoute: which configured route answers for a host + path. Exact hosts beat one-label
// wildcards ("*.example.com"), which beat "*"; within a host, the longest path prefix wins, and a
// prefix matches only at a segment boundary ("/app" matches "/app" and "/app/x", not "/apple").
import type { RouteConfig } from '../../config/enforcement-schema.js';

interface HostPattern {
  readonly route: RouteConfig;
  /** Lower-case host without port, or the suffix after "*." for wildcards. */
  readonly host: string;
  readonly port: string | undefined;
  readonly kind: 'exact' | 'wildcard' | 'any';
}

export class RouteTable {
  private readonly patterns: readonly HostPattern[];

  constructor(readonly routes: readonly RouteConfig[]) {
    this.patterns = routes.map(toPattern);
  }

  /** The route for `host` (lower-case, optional port) and `path` (origin-form; the query is ignored), or undefined. */
  match(host: string, path: string): RouteConfig | undefined {
    const { name, port } = splitHost(host);
    const pathOnly = stripQuery(path);
    if (!isCanonicalPath(pathOnly)) return undefined;
    let best: { readonly route: RouteConfig; readonly rank: number; readonly length: number } | undefined;
    for (const pattern of this.patterns) {
      const rank = hostRank(pattern, name, port);
      if (rank === 0 || !prefixMatches(pattern.route.pathPrefix, pathOnly)) continue;
      const length = pattern.route.pathPrefix.length;
      if (best === undefined || rank > best.rank || (rank === best.rank && length > best.length)) best = { route: pattern.route, rank, length };
    }
    return best?.route;
  }

  /** True when some route answers for this host (any path): such hosts are our own, safe to redirect to after login. */
  knowsHost(host: string): boolean {
    const { name, port } = splitHost(host.toLowerCase());
    return this.patterns.some((pattern) => pattern.kind !== 'any' && hostRank(pattern, name, port) > 0);
  }
}

function toPattern(route: RouteConfig): HostPattern {
  const { name, port } = splitHost(route.host.toLowerCase());
  if (name === '*') return { route, host: '', port, kind: 'any' };
  if (name.startsWith('*.')) return { route, host: name.slice(2), port, kind: 'wildcard' };
  return { route, host: name, port, kind: 'exact' };
}

/** 0 = no match; higher = more specific. A pattern without a port matches any port. */
function hostRank(pattern: HostPattern, name: string, port: string | undefined): number {
  if (pattern.port !== undefined && pattern.port !== port) return 0;
  const portBonus = pattern.port === undefined ? 0 : 1;
  switch (pattern.kind) {
    case 'exact':
      return name === pattern.host ? 6 + portBonus : 0;
    case 'wildcard': {
      // One label only: "*.example.com" matches "a.example.com", not "a.b.example.com".
      const dot = name.indexOf('.');
      return dot > 0 && name.slice(dot + 1) === pattern.host ? 4 + portBonus : 0;
    }
    case 'any':
      return 2 + portBonus;
  }
}

export function splitHost(host: string): { readonly name: string; readonly port: string | undefined } {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    const port = host.slice(end + 1).startsWith(':') ? host.slice(end + 2) : undefined;
    return { name: host.slice(0, end + 1), port };
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? { name: host, port: undefined } : { name: host.slice(0, colon), port: host.slice(colon + 1) };
}

function stripQuery(path: string): string {
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

/**
 * False for paths an upstream could read differently from us: dot segments ("/a/../admin", also
 * percent-encoded), encoded slashes or backslashes, and backslashes. Such requests match no route
 * (fail closed) instead of being matched on one reading and served on another.
 */
export function isCanonicalPath(path: string): boolean {
  if (!path.startsWith('/') || path.includes('\\')) return false;
  if (/%(2f|5c|00)/i.test(path)) return false;
  const decodedDots = path.replace(/%2e/gi, '.');
  return !decodedDots.split('/').some((segment) => segment === '.' || segment === '..');
}

function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith('/') || path[prefix.length] === '/';
}
