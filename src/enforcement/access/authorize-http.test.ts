import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeDecisionPoint } from '../../api/testing/fake-decision-point.js';
import type { RouteConfig } from '../../config/enforcement-schema.js';
import type { SessionRecord } from '../../sessions/session.js';
import { createHttpAccess, type CachedVerdict, type HttpAccessDeps, type VerdictCache } from './authorize-http.js';
import type { BearerAuthenticator, HttpRequestFacts } from './http-access.js';
import { AssertionSigner } from './identity-assertion.js';
import { RouteTable } from './route-table.js';
import { DecisionCache, ipTag, sessionTag, subjectTag } from '../../sessions/decision-cache.js';

const routes: RouteConfig[] = [
  {
    name: 'wiki',
    host: 'wiki.test',
    pathPrefix: '/',
    preserveHost: false,
    resource: { type: 'App', id: 'allow-wiki' },
    actions: { GET: 'read', POST: 'write' },
    api: false,
    headers: { 'X-Email': 'email', 'X-Groups': 'groups', 'X-Name': 'name' },
    websockets: true,
    timeout: '30s',
    clientCertificate: 'optional',
  },
  { name: 'payroll', host: 'payroll.test', pathPrefix: '/', preserveHost: false, resource: { type: 'App', id: 'stepup-payroll' }, actions: { GET: 'read' }, api: false, headers: {}, websockets: true, timeout: '30s', clientCertificate: 'optional' },
  { name: 'admin', host: 'admin.test', pathPrefix: '/', preserveHost: false, resource: { type: 'App', id: 'deny-admin' }, actions: { GET: 'read' }, api: true, headers: {}, websockets: true, timeout: '30s', clientCertificate: 'optional' },
];

const session: SessionRecord = {
  id: 'a'.repeat(64),
  loginId: 'login-1',
  host: 'wiki.test',
  identity: {
    providerId: 'dev',
    idpSubject: 'sub-alice',
    subject: { type: 'User', id: 'alice' },
    parents: [{ type: 'Group', id: 'employees' }],
    attributes: { department: 'eng' },
    email: 'alice@example.com',
    name: 'Alice\r\nX-Injected: yes',
    groups: ['employees'],
  },
  authn: { methods: ['pwd'], phishingResistant: false, authenticatedAt: '2026-11-23T00:00:00.000Z' },
  createdAt: '2026-11-23T00:00:00.000Z',
  lastSeenAt: '2026-11-23T00:00:00.000Z',
  expiresAt: '2026-11-23T12:00:00.000Z',
};

class MapCache implements VerdictCache {
  readonly entries = new Map<string, { value: Parameters<VerdictCache['set']>[1]; ttl: number; tags: readonly string[] }>();
  get(key: string) {
    return this.entries.get(key)?.value;
  }
  set(key: string, value: Parameters<VerdictCache['set']>[1], ttl: number, tags: readonly string[] = []) {
    this.entries.set(key, { value, ttl, tags });
  }
}

function facts(overrides: { [K in keyof HttpRequestFacts]?: HttpRequestFacts[K] | undefined } = {}): HttpRequestFacts {
  const merged: Record<string, unknown> = { method: 'GET', scheme: 'https', host: 'wiki.test', path: '/page?token=secret', clientIp: '192.0.2.7', accept: 'text/html', cookie: 'sid=good', userAgent: 'test', ...overrides };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as unknown as HttpRequestFacts;
}

describe('createHttpAccess', () => {
  let signer: AssertionSigner;
  beforeAll(async () => {
    signer = await AssertionSigner.ephemeral('https://tenet.test');
  });

  function setup(extra: Partial<HttpAccessDeps> = {}) {
    const decisionPoint = new FakeDecisionPoint();
    const cache = new MapCache();
    const access = createHttpAccess({
      routes: new RouteTable(routes),
      decisionPoint,
      sessions: {
        readCookie: (header) => (header?.includes('sid=good') ? 'good' : undefined),
        resume: async (secret, host) => (secret === 'good' ? { ...session, host } : undefined),
      },
      signer,
      cache,
      publicUrl: 'https://tenet.test',
      assertionHeader: 'X-Tenet-Assertion',
      ...extra,
    });
    return { access, decisionPoint, cache };
  }

  it('allows with a verifiable assertion and the route headers, and builds the NIST tuple from trusted facts only', async () => {
    const { access, decisionPoint } = setup();
    const verdict = await access.authorize(facts(), 'proxy');
    expect(verdict.kind).toBe('allow');
    if (verdict.kind !== 'allow') return;
    const token = verdict.headers['X-Tenet-Assertion'] ?? '';
    const key = await importJWK(signer.jwks().keys[0]!, 'ES256');
    const { payload } = await jwtVerify(token, key, { issuer: 'https://tenet.test', audience: 'wiki' });
    expect(payload).toMatchObject({ sub: 'User::"alice"', email: 'alice@example.com', groups: ['employees'], decision_id: verdict.decision.id });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(120);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: signer.keyId });
    expect(verdict.headers['X-Email']).toBe('alice@example.com');
    expect(verdict.headers['X-Groups']).toBe('employees');
    expect(verdict.headers['X-Name']).toBeUndefined();

    const call = decisionPoint.calls[0]!;
    expect(call.meta).toEqual({ pep: 'proxy', caller: 'wiki' });
    expect(call.request).toMatchObject({
      subject: { type: 'User', id: 'alice', properties: { department: 'eng' }, parents: [{ type: 'Group', id: 'employees' }] },
      action: { name: 'read' },
      resource: { type: 'App', id: 'allow-wiki' },
      environment: { ip: '192.0.2.7', method: 'GET', path: '/page', userAgent: 'test', domain: 'wiki.test' },
      authn: { methods: ['pwd'], phishingResistant: false },
    });
  });

  it('reuses a cached allow (same assertion) for the same session, route, action, IP and device, and asks again otherwise', async () => {
    const { access, decisionPoint, cache } = setup();
    const first = await access.authorize(facts(), 'proxy');
    const second = await access.authorize(facts({ path: '/other' }), 'proxy');
    expect(second).toMatchObject({ kind: 'allow', cached: true });
    if (first.kind !== 'allow' || second.kind !== 'allow') return;
    expect(second.headers).toEqual(first.headers);
    expect(decisionPoint.calls).toHaveLength(1);
    const entry = [...cache.entries.values()][0]!;
    // Tagged with every signal the decision used: session, subject, client address (no device here).
    expect(entry.tags).toEqual([sessionTag(session.id), subjectTag(session.identity.subject), ipTag(facts().clientIp)]);
    expect(entry.ttl).toBeLessThanOrEqual(90);

    await access.authorize(facts({ clientIp: '192.0.2.8' }), 'proxy');
    await access.authorize(facts({ method: 'POST' }), 'proxy');
    expect(decisionPoint.calls).toHaveLength(3);
  });

  it('lets identical requests that miss the cache together share one decision (one log record)', async () => {
    const { access, decisionPoint } = setup();
    const [first, second, third] = await Promise.all([access.authorize(facts(), 'proxy'), access.authorize(facts({ path: '/a.css' }), 'proxy'), access.authorize(facts({ clientIp: '192.0.2.99' }), 'proxy')]);
    expect(decisionPoint.calls).toHaveLength(2);
    expect(first).toMatchObject({ kind: 'allow', cached: false });
    expect(second).toMatchObject({ kind: 'allow', cached: true });
    if (first.kind !== 'allow' || second.kind !== 'allow' || third.kind !== 'allow') throw new Error('expected allows');
    expect(second.decision.id).toBe(first.decision.id);
    expect(second.headers).toEqual(first.headers);
    expect(third.decision.id).not.toBe(first.decision.id);
    // Nothing is left in flight: a later miss decides afresh.
    const { access: uncached, decisionPoint: counted } = setup({ cache: { get: () => undefined, set: () => undefined } });
    await uncached.authorize(facts(), 'proxy');
    await uncached.authorize(facts(), 'proxy');
    expect(counted.calls).toHaveLength(2);
  });

  it('sends browsers without a session to login with the page to return to, and API clients a 401 verdict', async () => {
    const { access, decisionPoint } = setup();
    const browser = await access.authorize(facts({ cookie: undefined }), 'proxy');
    expect(browser).toMatchObject({ kind: 'unauthenticated', browser: true });
    if (browser.kind !== 'unauthenticated') return;
    const url = new URL(browser.loginUrl);
    expect(url.origin + url.pathname).toBe('https://tenet.test/.tenet/login');
    expect(url.searchParams.get('rd')).toBe('https://wiki.test/page?token=secret');
    expect(await access.authorize(facts({ cookie: 'sid=forged', accept: 'application/json' }), 'proxy')).toMatchObject({ kind: 'unauthenticated', browser: false });
    expect(await access.authorize(facts({ host: 'admin.test', cookie: undefined }), 'proxy')).toMatchObject({ kind: 'unauthenticated', browser: false });
    expect(decisionPoint.calls).toHaveLength(0);
  });

  it('judges a bearer token alone: a bad token is not rescued by a good cookie', async () => {
    const bearer: BearerAuthenticator = {
      authenticate: async (header) => (header === 'Bearer good-token' ? { ok: true, identity: session.identity, authn: session.authn } : { ok: false, problem: 'bad signature' }),
    };
    const { access } = setup({ bearer });
    expect(await access.authorize(facts({ authorization: 'Bearer bad' }), 'ext-authz')).toMatchObject({ kind: 'unauthenticated', browser: false, problem: 'bad signature' });
    expect(await access.authorize(facts({ authorization: 'Bearer good-token', cookie: undefined }), 'ext-authz')).toMatchObject({ kind: 'allow', session: undefined });
    const { access: withoutBearer } = setup();
    expect(await withoutBearer.authorize(facts({ authorization: 'Bearer good-token' }), 'proxy')).toMatchObject({ kind: 'unauthenticated' });
  });

  it('turns step-up into a login URL carrying the requirement, and deny into a deny verdict', async () => {
    const { access } = setup();
    const stepUp = await access.authorize(facts({ host: 'payroll.test' }), 'proxy');
    expect(stepUp.kind).toBe('step-up');
    if (stepUp.kind !== 'step-up') return;
    const url = new URL(stepUp.stepUpUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({ rd: 'https://payroll.test/page?token=secret', provider: 'dev', step_up: '1', max_age: '300', phr: '1' });
    expect(await access.authorize(facts({ host: 'admin.test' }), 'forward-auth')).toMatchObject({ kind: 'deny', browser: false });
  });

  it('decides nothing for unknown hosts, non-canonical paths and unmapped methods', async () => {
    const { access, decisionPoint } = setup();
    expect(await access.authorize(facts({ host: 'unknown.test' }), 'proxy')).toEqual({ kind: 'no-route', browser: true });
    expect(await access.authorize(facts({ path: '/a/../b' }), 'proxy')).toMatchObject({ kind: 'no-route' });
    expect(await access.authorize(facts({ method: 'DELETE' }), 'proxy')).toMatchObject({ kind: 'method-not-allowed', browser: true });
    expect(decisionPoint.calls).toHaveLength(0);
  });

  it('signs a fresh assertion per decision (unique jti)', async () => {
    const { access } = setup({ cache: new MapCache() });
    const first = await access.authorize(facts(), 'proxy');
    const { access: again } = setup();
    const second = await again.authorize(facts(), 'proxy');
    if (first.kind !== 'allow' || second.kind !== 'allow') throw new Error('expected allow');
    expect(decodeJwt(first.headers['X-Tenet-Assertion']!).jti).not.toBe(decodeJwt(second.headers['X-Tenet-Assertion']!).jti);
  });

  it('recheck decides afresh past a cached allow, replaces the cached entry, and names the subject and device on allow', async () => {
    const { access, decisionPoint } = setup({ cache: new DecisionCache<CachedVerdict>(10) });
    const first = await access.authorize(facts(), 'proxy');
    expect(first.kind === 'allow' && first.subject).toEqual({ type: 'User', id: 'alice' });
    expect((await access.authorize(facts(), 'proxy')).kind === 'allow').toBe(true);
    expect(decisionPoint.calls).toHaveLength(1);
    const again = await access.recheck(facts(), 'proxy');
    expect(decisionPoint.calls).toHaveLength(2);
    expect(again.kind === 'allow' && !again.cached && again.decision.id !== (first.kind === 'allow' ? first.decision.id : '')).toBe(true);
    // The fresh decision is what the cache serves now.
    const served = await access.authorize(facts(), 'proxy');
    expect(served.kind === 'allow' && served.cached && served.decision.id).toBe(again.kind === 'allow' ? again.decision.id : 'none');
  });

  it('does not cache, nor share, a decision that was in flight while its session was invalidated', async () => {
    const cache = new DecisionCache<CachedVerdict>(10);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { access, decisionPoint } = setup({ cache });
    const decide = decisionPoint.decide.bind(decisionPoint);
    let held = true;
    decisionPoint.decide = async (request, meta) => {
      if (held) {
        held = false;
        await gate;
      }
      return decide(request, meta);
    };
    const inFlight = access.authorize(facts(), 'proxy');
    await new Promise((resolve) => setImmediate(resolve));
    cache.invalidate(sessionTag(session.id));
    // A request after the invalidation does not join the older decision: it gets its own.
    const after = await access.authorize(facts(), 'proxy');
    release();
    const before = await inFlight;
    expect(decisionPoint.calls).toHaveLength(2);
    expect(before.kind === 'allow' && after.kind === 'allow' && before.decision.id !== after.decision.id).toBe(true);
    // What the cache serves is the decision made after the invalidation.
    const served = await access.authorize(facts(), 'proxy');
    expect(served.kind === 'allow' && served.decision.id).toBe(after.kind === 'allow' ? after.decision.id : 'none');
  });
});
