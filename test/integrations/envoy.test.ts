// Envoy ext_authz with the configuration from docs/integrations/envoy.md. Envoy is not in Debian,
// so the HTTP-service exchange is reproduced on the wire (support/envoy-ext-authz-http.ts) from the
// documented settings, and the documented routes are checked for what reaches Tenet. The gRPC
// service itself is tested with a real gRPC client in src/enforcement/ext-authz/grpc-server.test.ts.
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extAuthzSchema } from '../../src/config/enforcement-schema.js';
import { LOGIN_BASE } from '../../src/enforcement/forward-auth/testing/scripted-access.js';
import { docSnippet } from './support/doc-snippet.js';
import { envoyHttpExtAuthz, type DownstreamRequest, type EnvoyHttpExtAuthz, type StringMatcher } from './support/envoy-ext-authz-http.js';
import { startStandIns, type StandIns } from './support/tenet-stand-in.js';

interface HttpFilter {
  typed_config: {
    failure_mode_allow: boolean;
    allowed_headers: { patterns: StringMatcher[] };
    http_service: { path_prefix: string; authorization_response: { allowed_upstream_headers: { patterns: StringMatcher[] } } };
  };
}

interface Route {
  match: { safe_regex?: { regex: string }; prefix?: string };
  direct_response?: { status: number };
  route?: { cluster: string };
  typed_per_filter_config?: Record<string, { disabled?: boolean }>;
}

let stand: StandIns;
let filter: HttpFilter['typed_config'];
let envoy: EnvoyHttpExtAuthz;
let grpc: { static_resources: { listeners: { filter_chains: { filters: { typed_config: Record<string, unknown> & { route_config: { virtual_hosts: { routes: Route[] }[] } } }[] }[] }[] } };

beforeAll(async () => {
  stand = await startStandIns();
  filter = (parse(docSnippet('docs/integrations/envoy.md', 'envoy-http')) as HttpFilter[])[0]?.typed_config as HttpFilter['typed_config'];
  envoy = {
    allowedHeaders: filter.allowed_headers.patterns,
    pathPrefix: filter.http_service.path_prefix,
    allowedUpstreamHeaders: filter.http_service.authorization_response.allowed_upstream_headers.patterns,
  };
  grpc = parse(docSnippet('docs/integrations/envoy.md', 'envoy-grpc')) as typeof grpc;
});

afterAll(async () => {
  await stand.close();
});

beforeEach(() => {
  stand.calls.length = 0;
});

const downstream = (overrides: Partial<DownstreamRequest> & { headers?: Record<string, string> } = {}): DownstreamRequest => ({
  method: 'GET',
  path: '/reports/q3?format=pdf',
  authority: 'app.example.com',
  tls: true,
  remoteIp: '198.51.100.7',
  ...overrides,
  headers: { accept: 'text/html', 'user-agent': 'Mozilla/5.0 test', ...overrides.headers },
});

describe('the documented Envoy configuration (docs/integrations/envoy.md)', () => {
  it('never fails open and uses Tenet\'s HTTP path prefix', () => {
    expect(filter.failure_mode_allow).toBe(false);
    expect(filter.http_service.path_prefix).toBe(extAuthzSchema.parse(undefined).httpPathPrefix);
  });

  it('gRPC: Envoy is the edge, and ext_authz fails closed', () => {
    const hcm = grpc.static_resources.listeners[0]?.filter_chains[0]?.filters[0]?.typed_config;
    expect(hcm?.use_remote_address).toBe(true);
    expect(hcm?.normalize_path).toBe(true);
    expect(hcm?.merge_slashes).toBe(true);
    const filters = hcm?.http_filters as { typed_config: { failure_mode_allow?: boolean } }[];
    expect(filters[0]?.typed_config.failure_mode_allow).toBe(false);
  });

  it('routes Tenet\'s pages to Tenet without ext_authz, answers its decision endpoints 404, and checks everything else', () => {
    const routes = grpc.static_resources.listeners[0]?.filter_chains[0]?.filters[0]?.typed_config.route_config.virtual_hosts[0]?.routes ?? [];
    // RouteMatch.safe_regex must match the whole path (without the query); RE2's (?i) is JavaScript's "i".
    const first = (path: string): Route | undefined =>
      routes.find((route) => {
        if (route.match.prefix !== undefined) return path.startsWith(route.match.prefix);
        const regex = route.match.safe_regex?.regex ?? '';
        return new RegExp(`^(?:${regex.replace(/^\(\?i\)/, '')})$`, regex.startsWith('(?i)') ? 'i' : '').test(path);
      });
    for (const path of ['/.tenet/forward-auth', '/.TENET/Forward-Auth', '/.tenet/ext-authz/x']) expect(first(path)?.direct_response?.status, path).toBe(404);
    for (const path of ['/.tenet/session', '/.tenet/logout']) {
      expect(first(path)?.route?.cluster, path).toBe('tenet');
      expect(first(path)?.typed_per_filter_config?.['envoy.filters.http.ext_authz']?.disabled).toBe(true);
    }
    expect(first('/reports')?.route?.cluster).toBe('app');
    expect(first('/reports')?.typed_per_filter_config).toBeUndefined();
  });
});

describe('Envoy ext_authz (HTTP service) → Tenet', () => {
  it('forwards an allowed user with Tenet\'s identity headers, overriding forged ones', async () => {
    const outcome = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ headers: { cookie: 'session=good', 'x-tenet-assertion': 'forged', 'x-email': 'mallory@example.com' } }));
    expect(outcome.kind).toBe('forward');
    if (outcome.kind !== 'forward') return;
    expect(outcome.headers['x-tenet-assertion']).toBe('assertion-for-alice');
    expect(outcome.headers['x-email']).toBe('alice@example.com');
  });

  it('removes identity headers Tenet did not set, and forged X-Tenet-* ones', async () => {
    const outcome = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ headers: { cookie: 'session=good-noemail', 'x-email': 'mallory@example.com', 'x-tenet-role': 'admin' } }));
    expect(outcome.kind).toBe('forward');
    if (outcome.kind !== 'forward') return;
    expect(outcome.headers['x-tenet-assertion']).toBe('assertion-for-bob');
    expect(outcome.headers['x-email']).toBeUndefined();
    expect(outcome.headers['x-tenet-role']).toBeUndefined();
  });

  it('shows Tenet the original request, whatever X-Forwarded-* the client sent', async () => {
    await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ method: 'PUT', path: '/items/7?force=true', tls: false, headers: { cookie: 'session=good', 'x-forwarded-proto': 'https', 'x-forwarded-for': '6.6.6.6' } }));
    expect(stand.calls).toHaveLength(1);
    expect(stand.calls[0]?.facts).toMatchObject({ method: 'PUT', scheme: 'http', host: 'app.example.com', path: '/items/7?force=true', clientIp: '198.51.100.7', cookie: 'session=good' });
  });

  it('sends a browser without a session to the login URL', async () => {
    const outcome = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream());
    expect(outcome.kind === 'respond' && outcome.response.status).toBe(302);
    expect(outcome.kind === 'respond' && outcome.response.headers.location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent('https://app.example.com/reports/q3?format=pdf')}`);
  });

  it('answers an API client without a session 401, a denied user 403, an unknown host 403', async () => {
    const api = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ headers: { accept: 'application/json' } }));
    expect(api.kind === 'respond' && api.response.status).toBe(401);
    const denied = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ headers: { cookie: 'session=bad' } }));
    expect(denied.kind === 'respond' && denied.response.status).toBe(403);
    const unknown = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ authority: 'unknown.example.com', headers: { cookie: 'session=good' } }));
    expect(unknown.kind === 'respond' && unknown.response.status).toBe(403);
  });

  it('answers a failing pipeline with a 4xx denial, never a 5xx that failure_mode_allow would pass', async () => {
    const outcome = await envoyHttpExtAuthz(envoy, stand.tenetPort, downstream({ path: '/boom', headers: { cookie: 'session=good' } }));
    expect(outcome.kind).toBe('respond');
    expect(outcome.kind === 'respond' && outcome.response.status).toBe(403);
  });
});
