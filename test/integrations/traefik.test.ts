// Traefik's ForwardAuth against Tenet's forward-auth, with the configuration from
// docs/integrations/traefik.md. Traefik is not in Debian, so its middleware is reproduced on the
// wire (support/traefik-forward-auth.ts, after traefik's forward.go); the requests Tenet receives
// look exactly like Traefik's.
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_BASE } from '../../src/enforcement/forward-auth/testing/scripted-access.js';
import { docSnippet, substitute } from './support/doc-snippet.js';
import { startStandIns, type StandIns } from './support/tenet-stand-in.js';
import { traefikForwardAuth, type ClientRequest, type TraefikForwardAuthConfig } from './support/traefik-forward-auth.js';

interface DynamicConfig {
  http: {
    middlewares: { tenet: { forwardAuth: { address: string; trustForwardHeader: boolean; authResponseHeaders: string[] } } };
    routers: Record<string, { rule: string; priority: number; middlewares?: string[]; service: string }>;
  };
}

let stand: StandIns;
let config: DynamicConfig;
let forwardAuth: TraefikForwardAuthConfig;

beforeAll(async () => {
  stand = await startStandIns();
  const yaml = substitute(docSnippet('docs/integrations/traefik.md', 'traefik-forward-auth'), [['127.0.0.1:8280', `127.0.0.1:${stand.tenetPort}`]]);
  config = parse(yaml) as DynamicConfig;
  forwardAuth = config.http.middlewares.tenet.forwardAuth;
});

afterAll(async () => {
  await stand.close();
});

beforeEach(() => {
  stand.calls.length = 0;
});

const client = (overrides: Partial<ClientRequest> & { headers?: Record<string, string> } = {}): ClientRequest => ({
  method: 'GET',
  uri: '/reports/q3?format=pdf',
  host: 'app.example.com',
  tls: true,
  remoteIp: '198.51.100.7',
  ...overrides,
  headers: { 'User-Agent': 'Mozilla/5.0 test', Accept: 'text/html', ...overrides.headers },
});

describe('the documented Traefik configuration (docs/integrations/traefik.md)', () => {
  it('pins the dialect and never trusts the client\'s X-Forwarded-* headers', () => {
    expect(forwardAuth.trustForwardHeader).toBe(false);
    const address = new URL(forwardAuth.address);
    expect(address.pathname).toBe('/.tenet/forward-auth');
    expect(address.searchParams.get('mode')).toBe('redirect');
  });

  it('sends Tenet\'s own pages on the protected host to Tenet, but never its decision endpoints', () => {
    const rule = config.http.routers['app-tenet-pages']?.rule ?? '';
    const patterns = [...rule.matchAll(/(!?)PathRegexp\(`\(\?i\)([^`]+)`\)/g)].map((match) => ({ negated: match[1] === '!', regex: new RegExp(match[2] ?? '', 'i') }));
    expect(patterns).toHaveLength(2);
    const toTenet = (path: string): boolean => patterns.every(({ negated, regex }) => regex.test(path) !== negated);
    expect(toTenet('/.tenet/session')).toBe(true);
    expect(toTenet('/.tenet/logout')).toBe(true);
    for (const path of ['/.tenet/forward-auth', '/.TENET/Forward-Auth', '/.tenet//forward-auth', '/.tenet/ext-authz/x', '/reports']) expect(toTenet(path), path).toBe(false);
    expect(config.http.routers['app-tenet-pages']?.priority).toBeGreaterThan(config.http.routers.app?.priority ?? Infinity);
    expect(config.http.routers.app?.middlewares).toEqual(['tenet']);
  });
});

describe('Traefik ForwardAuth → Tenet forward-auth', () => {
  it('forwards an allowed user with Tenet\'s identity headers, replacing forged ones', async () => {
    const outcome = await traefikForwardAuth(forwardAuth, stand.tenetPort, client({ headers: { Cookie: 'session=good', 'X-Tenet-Assertion': 'forged', 'X-Email': 'mallory@example.com' } }));
    expect(outcome.kind).toBe('forward');
    if (outcome.kind !== 'forward') return;
    expect(outcome.headers['X-Tenet-Assertion']).toBe('assertion-for-alice');
    expect(outcome.headers['X-Email']).toBe('alice@example.com');
  });

  it('removes a forged identity header that Tenet did not set', async () => {
    const outcome = await traefikForwardAuth(forwardAuth, stand.tenetPort, client({ headers: { Cookie: 'session=good-noemail', 'X-Email': 'mallory@example.com' } }));
    expect(outcome.kind).toBe('forward');
    if (outcome.kind !== 'forward') return;
    expect(outcome.headers['X-Tenet-Assertion']).toBe('assertion-for-bob');
    expect(outcome.headers['X-Email']).toBeUndefined();
  });

  it('shows Tenet the original request, whatever X-Forwarded-* or X-Original-* the client sent', async () => {
    await traefikForwardAuth(forwardAuth, stand.tenetPort, client({
      method: 'PATCH',
      uri: '/items/7?force=true',
      headers: { Cookie: 'session=good', 'X-Forwarded-Uri': '/public', 'X-Forwarded-Method': 'GET', 'X-Forwarded-Host': 'admin.example.com', 'X-Forwarded-For': '6.6.6.6', 'X-Original-URI': '/public', 'X-Real-IP': '6.6.6.6' },
    }));
    expect(stand.calls).toHaveLength(1);
    expect(stand.calls[0]?.facts).toMatchObject({ method: 'PATCH', scheme: 'https', host: 'app.example.com', path: '/items/7?force=true', clientIp: '198.51.100.7', cookie: 'session=good' });
  });

  it('(why trustForwardHeader must stay false) with true, the client would choose the path Tenet decides on', async () => {
    await traefikForwardAuth({ ...forwardAuth, trustForwardHeader: true }, stand.tenetPort, client({ uri: '/admin', headers: { Cookie: 'session=good', 'X-Forwarded-Uri': '/public' } }));
    expect(stand.calls[0]?.facts.path).toBe('/public');
  });

  it('sends a browser without a session to the login URL', async () => {
    const outcome = await traefikForwardAuth(forwardAuth, stand.tenetPort, client());
    expect(outcome.kind).toBe('respond');
    if (outcome.kind !== 'respond') return;
    expect(outcome.response.status).toBe(302);
    expect(outcome.response.headers.location).toBe(`${LOGIN_BASE}?rd=${encodeURIComponent('https://app.example.com/reports/q3?format=pdf')}`);
  });

  it('answers an API client without a session 401 JSON', async () => {
    const outcome = await traefikForwardAuth(forwardAuth, stand.tenetPort, client({ headers: { Accept: 'application/json' } }));
    expect(outcome.kind === 'respond' && outcome.response.status).toBe(401);
  });

  it('answers a denied user 403 with Tenet\'s page', async () => {
    const outcome = await traefikForwardAuth(forwardAuth, stand.tenetPort, client({ headers: { Cookie: 'session=bad' } }));
    expect(outcome.kind === 'respond' && outcome.response.status).toBe(403);
    expect(outcome.kind === 'respond' && outcome.response.body).toContain('Access denied');
  });

  it('refuses a host Tenet has no route for (403)', async () => {
    const outcome = await traefikForwardAuth(forwardAuth, stand.tenetPort, client({ host: 'unknown.example.com', headers: { Cookie: 'session=good' } }));
    expect(outcome.kind === 'respond' && outcome.response.status).toBe(403);
  });
});
