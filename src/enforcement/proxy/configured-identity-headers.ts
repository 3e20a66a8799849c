// The identity header names this deployment's upstreams were told to believe: the assertion
// header, the client-certificate header trusted proxies use (proxy.clientCertificateHeader), and
// every name in any route's `headers` map. A client-sent header of any of these names
// is removed before forwarding, on every route (a route's upstream may also serve another route).
import type { RouteConfig } from '../../config/enforcement-schema.js';

export class ConfiguredIdentityHeaders {
  readonly #fixed: readonly string[];
  readonly #routes: (() => readonly RouteConfig[]) | undefined;
  #seenRoutes: readonly RouteConfig[] | undefined;
  #base: ReadonlySet<string>;
  #perRoute = new WeakMap<RouteConfig, ReadonlySet<string>>();

  /** `routes` is read per request, so a configuration reload applies at once. */
  constructor(assertionHeader: string, routes: (() => readonly RouteConfig[]) | undefined, clientCertificateHeader?: string) {
    this.#fixed = [assertionHeader, ...(clientCertificateHeader === undefined ? [] : [clientCertificateHeader])].map((name) => name.toLowerCase());
    this.#routes = routes;
    this.#base = new Set(this.#fixed);
  }

  /** Lower-case names to strip on a request matched to `route` (always including that route's own names). */
  for(route: RouteConfig): ReadonlySet<string> {
    const routes = this.#routes?.();
    if (routes !== this.#seenRoutes) {
      this.#seenRoutes = routes;
      this.#base = new Set([...this.#fixed, ...(routes ?? []).flatMap(headerNames)]);
      this.#perRoute = new WeakMap();
    }
    let names = this.#perRoute.get(route);
    if (!names) {
      names = new Set([...this.#base, ...headerNames(route)]);
      this.#perRoute.set(route, names);
    }
    return names;
  }
}

function headerNames(route: RouteConfig): string[] {
  return Object.keys(route.headers).map((name) => name.toLowerCase());
}
