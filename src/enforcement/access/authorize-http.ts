// authorizeHttp: the one decision pipeline behind the proxy, forward-auth and ext_authz. Its steps
// read as a table (matchRoute → mapAction → establishDevice → establishSubject → cached? →
// buildTuple → decide → verdict); each PEP only translates its protocol to HttpRequestFacts and
// the Verdict back. Cached decisions are tagged with every signal they were made with (session,
// subject, device, client address) so that continuous verification can drop exactly those, and
// `recheck` runs the pipeline again for a live connection's original facts without the cache.
import type { Decision } from '../../engine/decision.js';
import type { AccessRequest, Authentication, EntityRef } from '../../engine/tuple.js';
import type { DecisionPoint } from '../../pdp/decision-point.js';
import type { RouteConfig } from '../../config/enforcement-schema.js';
import type { SessionIdentity, SessionRecord } from '../../sessions/session.js';
import { sha256Hex } from '../../sessions/sessions.js';
import { deviceTag, ipTag, sessionTag, subjectTag } from '../../sessions/decision-cache.js';
import { establishDevice } from './establish-device.js';
import type { BearerAuthenticator, DeviceCertificateVerifier, HttpAccess, HttpRequestFacts, UpstreamHeaders, Verdict } from './http-access.js';
import { ASSERTION_LIFETIME_SECONDS, type AssertionSigner } from './identity-assertion.js';
import { loginUrl, stepUpUrl } from './login-urls.js';
import type { RouteTable } from './route-table.js';

/** What the pipeline needs from the session service (src/sessions/sessions.ts). */
export interface SessionLookup {
  readCookie(cookieHeader: string | undefined): string | undefined;
  resume(secret: string, host: string): Promise<SessionRecord | undefined>;
}

/** What the pipeline needs from the decision cache (src/sessions/decision-cache.ts). */
export interface VerdictCache {
  get(key: string): CachedVerdict | undefined;
  /** `tags` name the signals the value depends on (sessionTag, subjectTag, deviceTag, ipTag), for invalidation; `decidedSince` is generation() read before deciding. */
  set(key: string, value: CachedVerdict, ttlSeconds: number, tags?: readonly string[], decidedSince?: number): void;
  /** Counts invalidations: a decision in flight while its signals were invalidated is not stored. */
  generation?(): number;
}

export type CachedVerdict = CachedAllow | CachedDecision;

interface CachedDecision {
  readonly decision: Decision;
}

interface CachedAllow extends CachedDecision {
  readonly headers: UpstreamHeaders;
  readonly assertionExpiresAtMs: number;
}

export interface HttpAccessDeps {
  readonly routes: RouteTable;
  readonly decisionPoint: DecisionPoint;
  readonly sessions: SessionLookup;
  /** Absent when bearer tokens are disabled or no provider is configured. */
  readonly bearer?: BearerAuthenticator;
  readonly signer: AssertionSigner;
  readonly cache: VerdictCache;
  /** The proxy's public base URL: login and step-up pages live under it. */
  readonly publicUrl: string;
  readonly assertionHeader: string;
  /** Verifies client certificates (src/devices/pki); absent when `devices.pki` is not configured: then no request names a device. */
  readonly deviceCertificates?: DeviceCertificateVerifier;
  readonly clock?: () => Date;
}

/** A cached assertion is reused only while it has at least this long left, so upstreams never receive one about to expire. */
const ASSERTION_REUSE_MARGIN_SECONDS = 30;

interface Subject {
  readonly identity: SessionIdentity;
  readonly authn: Authentication;
  readonly session: SessionRecord | undefined;
  /** Cache partition: the session id, or a hash of the bearer token. */
  readonly cacheKey: string;
  /** The device a verified client certificate named; undefined = unknown device. */
  readonly deviceId: string | undefined;
}

/** The pipeline, plus a fresh decision for facts already admitted once (continuous verification). */
export interface RecheckingHttpAccess extends HttpAccess {
  /**
   * The verdict for `facts` decided now: no cached decision is served and no decision in flight is
   * shared (either may predate the signal change that prompted the re-check). The fresh decision
   * replaces any cached one and is logged like any other.
   */
  recheck(facts: HttpRequestFacts, pep: 'proxy' | 'forward-auth' | 'ext-authz'): Promise<Verdict>;
}

export function createHttpAccess(deps: HttpAccessDeps): RecheckingHttpAccess {
  const now = () => (deps.clock ?? (() => new Date()))();
  // Decisions being made, by cache key: identical requests that miss the cache together (a page's
  // assets when its cached allow expires) share one decision and one log record instead of each
  // asking the PDP. They arrived while it was being made, so it is as fresh as their own would be.
  // Only decisions begun since the last invalidation are shared: one begun before a signal changed
  // was made on the old state.
  const inFlight = new Map<string, { readonly since: number | undefined; readonly deciding: Promise<{ readonly verdict: Verdict; readonly shared: CachedVerdict }> }>();
  const authorize = async (facts: HttpRequestFacts, pep: 'proxy' | 'forward-auth' | 'ext-authz', fresh: boolean): Promise<Verdict> => {
    // Read before the session is resumed and the decision made: a signal change after this point
    // keeps the decision out of the cache (see DecisionCache.set).
    const since = deps.cache.generation?.();
    const browser = isBrowser(facts);
    const route = deps.routes.match(facts.host, facts.path);
    if (route === undefined) return { kind: 'no-route', browser };
    const routeBrowser = browser && !route.api;
    const action = route.actions[facts.method.toUpperCase()];
    if (action === undefined) return { kind: 'method-not-allowed', route, browser: routeBrowser };

    // Before the session: signing in would not help a request from a device the route refuses.
    const device = establishDevice(route, facts.clientCertificate, deps.deviceCertificates);
    if (device.kind === 'refused') return { kind: 'device-required', route, problem: device.problem, browser: routeBrowser };
    const deviceId = device.kind === 'device' ? device.deviceId : undefined;

    const established = await establishSubject(facts, deps, deviceId);
    if (!established.ok) {
      return { kind: 'unauthenticated', route, browser: routeBrowser, problem: established.problem, loginUrl: loginUrl(deps.publicUrl, returnUrl(facts)) };
    }
    const subject = established.subject;

    // The policy version is part of the key, so a reload never serves a decision of the old
    // policy set; the device id is, so a certificate that stops verifying (revoked, expired)
    // leads to another key, never to the allow cached while it was valid.
    const cacheKey = [subject.cacheKey, route.name, action, facts.clientIp, deviceId ?? '', deps.decisionPoint.policyVersion()].join('\u0000');
    if (fresh) {
      const decision = await deps.decisionPoint.decide(buildTuple(route, action, subject, facts, now()), { pep, caller: route.name });
      const verdict = await verdictFor(decision, route, subject, facts, routeBrowser, deps, false, undefined);
      remember(deps, cacheKey, verdict, decision, subject, facts.clientIp, now().getTime(), since);
      return verdict;
    }
    const cached = deps.cache.get(cacheKey);
    if (cached !== undefined) return verdictFor(cached.decision, route, subject, facts, routeBrowser, deps, true, 'headers' in cached ? cached.headers : undefined);

    const pending = inFlight.get(cacheKey);
    if (pending !== undefined && pending.since === since) {
      const { shared } = await pending.deciding;
      return verdictFor(shared.decision, route, subject, facts, routeBrowser, deps, true, 'headers' in shared ? shared.headers : undefined);
    }
    const deciding = (async () => {
      const decision = await deps.decisionPoint.decide(buildTuple(route, action, subject, facts, now()), { pep, caller: route.name });
      const verdict = await verdictFor(decision, route, subject, facts, routeBrowser, deps, false, undefined);
      return { verdict, shared: remember(deps, cacheKey, verdict, decision, subject, facts.clientIp, now().getTime(), since) };
    })();
    const flight = { since, deciding };
    inFlight.set(cacheKey, flight);
    try {
      return (await deciding).verdict;
    } finally {
      // A newer decision for the same key may have taken the slot; only this one's is removed.
      if (inFlight.get(cacheKey) === flight) inFlight.delete(cacheKey);
    }
  };
  return {
    authorize: (facts, pep) => authorize(facts, pep, false),
    recheck: (facts, pep) => authorize(facts, pep, true),
  };
}

async function establishSubject(facts: HttpRequestFacts, deps: HttpAccessDeps, deviceId: string | undefined): Promise<{ ok: true; subject: Subject } | { ok: false; problem: string }> {
  const authorization = facts.authorization;
  if (authorization !== undefined && /^bearer\s/i.test(authorization)) {
    // A request that presents a bearer token is judged by it alone: a bad token is not rescued by a cookie.
    if (deps.bearer === undefined) return { ok: false, problem: 'bearer tokens are not accepted here' };
    const result = await deps.bearer.authenticate(authorization);
    if (!result.ok) return { ok: false, problem: result.problem };
    return { ok: true, subject: { identity: result.identity, authn: result.authn, session: undefined, cacheKey: `bearer:${sha256Hex(authorization)}`, deviceId } };
  }
  const secret = deps.sessions.readCookie(facts.cookie);
  if (secret === undefined) return { ok: false, problem: 'no session' };
  const session = await deps.sessions.resume(secret, facts.host);
  if (session === undefined) return { ok: false, problem: 'the session is unknown, expired, revoked or belongs to another host' };
  return { ok: true, subject: { identity: session.identity, authn: session.authn, session, cacheKey: `session:${session.id}`, deviceId } };
}

/** The NIST tuple for this request. Query strings stay out: they may carry secrets and are not policy input. */
export function buildTuple(route: RouteConfig, action: string, subject: Subject, facts: HttpRequestFacts, time: Date): AccessRequest {
  const { identity } = subject;
  const parents: readonly EntityRef[] = identity.parents;
  return {
    subject: {
      type: identity.subject.type,
      id: identity.subject.id,
      ...(Object.keys(identity.attributes).length > 0 ? { properties: identity.attributes } : {}),
      ...(parents.length > 0 ? { parents } : {}),
    },
    ...(subject.deviceId === undefined ? {} : { deviceId: subject.deviceId }),
    action: { name: action },
    resource: { type: route.resource.type, id: route.resource.id },
    environment: {
      ip: facts.clientIp,
      time: time.toISOString(),
      method: facts.method.toUpperCase(),
      path: pathWithoutQuery(facts.path),
      ...(facts.userAgent === undefined ? {} : { userAgent: facts.userAgent }),
      ...(facts.host === '' ? {} : { domain: facts.host.replace(/:\d+$/, '') }),
    },
    authn: subject.authn,
  };
}

async function verdictFor(
  decision: Decision,
  route: RouteConfig,
  subject: Subject,
  facts: HttpRequestFacts,
  browser: boolean,
  deps: HttpAccessDeps,
  cached: boolean,
  cachedHeaders: UpstreamHeaders | undefined,
): Promise<Verdict> {
  switch (decision.outcome) {
    case 'allow': {
      const headers = cachedHeaders ?? (await upstreamHeaders(route, subject, facts, decision, deps)).headers;
      return { kind: 'allow', route, decision, session: subject.session, subject: subject.identity.subject, ...(subject.deviceId === undefined ? {} : { deviceId: subject.deviceId }), headers, cached };
    }
    case 'step-up': {
      const requirement = decision.obligations.stepUp ?? { phishingResistant: false, maxAgeSeconds: 0 };
      return { kind: 'step-up', route, decision, browser, stepUpUrl: stepUpUrl(deps.publicUrl, returnUrl(facts), requirement, subject.identity.providerId) };
    }
    case 'deny':
      return { kind: 'deny', route, decision, browser };
  }
}

async function upstreamHeaders(route: RouteConfig, subject: Subject, facts: HttpRequestFacts, decision: Decision, deps: HttpAccessDeps): Promise<{ headers: UpstreamHeaders; expiresAtMs: number }> {
  const { identity } = subject;
  const sub = `${identity.subject.type}::${JSON.stringify(identity.subject.id)}`;
  const assertion = await deps.signer.sign({
    sub,
    groups: identity.groups,
    decisionId: decision.id,
    audience: route.name,
    ...(identity.email === undefined ? {} : { email: identity.email }),
    ...(identity.name === undefined ? {} : { name: identity.name }),
    ...(subject.deviceId === undefined ? {} : { deviceId: subject.deviceId }),
  });
  const values: Record<string, string | undefined> = {
    subject: sub,
    email: identity.email,
    name: identity.name,
    groups: identity.groups.join(','),
    device: subject.deviceId,
    decision: decision.id,
  };
  const headers: Record<string, string> = { [deps.assertionHeader]: assertion.token };
  for (const [header, field] of Object.entries(route.headers)) {
    const value = values[field];
    // Header values must not carry CR/LF or other controls from IdP claims (response splitting).
    if (value !== undefined && value !== '' && !hasControlCharacter(value)) headers[header] = value;
  }
  return { headers, expiresAtMs: assertion.expiresAtMs };
}

/** Caches the decision for as long as its obligations allow (not at all for cacheTtl 0); returns what was (or would be) cached. */
function remember(deps: HttpAccessDeps, key: string, verdict: Verdict, decision: Decision, subject: Subject, clientIp: string, nowMs: number, decidedSince: number | undefined): CachedVerdict {
  // Tagged with what the decision depended on, so revoking the session, a change to the subject
  // (disabled, groups, risk), to the device (revoked, quarantined, new posture) or to the client
  // address (now on a threat list) drops it at once.
  const sessionId = subject.session?.id;
  const tags = [
    ...(sessionId === undefined ? [] : [sessionTag(sessionId)]),
    subjectTag(subject.identity.subject),
    ...(subject.deviceId === undefined ? [] : [deviceTag(subject.deviceId)]),
    ipTag(clientIp),
  ];
  const entry: CachedVerdict = verdict.kind === 'allow' ? { decision, headers: verdict.headers, assertionExpiresAtMs: nowMs + ASSERTION_LIFETIME_SECONDS * 1000 } : { decision };
  const ttl = verdict.kind === 'allow' ? Math.min(decision.obligations.cacheTtlSeconds, ASSERTION_LIFETIME_SECONDS - ASSERTION_REUSE_MARGIN_SECONDS) : decision.obligations.cacheTtlSeconds;
  if (ttl > 0) deps.cache.set(key, entry, ttl, tags, decidedSince);
  return entry;
}

function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Browsers get redirects and HTML pages; API clients get status codes and JSON. */
export function isBrowser(facts: HttpRequestFacts): boolean {
  if (facts.authorization !== undefined) return false;
  return facts.accept !== undefined && /\btext\/html\b/i.test(facts.accept);
}

function returnUrl(facts: HttpRequestFacts): string {
  return `${facts.scheme}://${facts.host}${facts.path}`;
}

function pathWithoutQuery(path: string): string {
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}
