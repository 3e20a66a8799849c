// A scripted HttpAccess for the forward-auth and ext_authz tests (and the real nginx / Caddy
// tests): the session cookie's value decides, so each test states its case plainly. Refusals are
// rendered by the real renderVerdict (src/enforcement/access/render-verdict.ts).
//   session=good          allow, assertion + X-Email
//   session=good-noemail  allow, assertion only (a forged X-Email must still not reach upstream)
//   session=bad           deny
//   session=stepup        step-up
//   method TRACE          method-not-allowed
//   host device.example.com without a client certificate → device-required
//   anything else         unauthenticated
//   host unknown.example.com or path /unrouted… → no-route;
//   host boom.example.com or path /boom… → the pipeline throws.
import { randomUUID } from 'node:crypto';
import type { HttpAccess, HttpRequestFacts, Verdict } from '../../access/http-access.js';
import { routesSchema, type RouteConfig } from '../../../config/enforcement-schema.js';
import type { Decision, Outcome } from '../../../engine/decision.js';

export const LOGIN_BASE = 'https://tenet.example.com/.tenet/login';

export const testRoute: RouteConfig = routesSchema.parse([
  { name: 'app', host: '*', resource: { type: 'App', id: 'app' }, headers: { 'X-Email': 'email' } },
])[0] as RouteConfig;

export function testDecision(outcome: Outcome): Decision {
  return {
    id: randomUUID(),
    outcome,
    reasons: [{ code: outcome === 'allow' ? 'policy-permit' : 'policy-forbid', effect: outcome === 'allow' ? 'allow' : 'deny', message: `scripted ${outcome}` }],
    risk: { score: 0, level: 'low', factors: [] },
    policies: { determining: [], errored: [], evaluated: 0, total: 0 },
    obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: 0 },
    policyVersion: 'scripted',
    decidedAt: new Date().toISOString(),
    latencyMicros: 1,
    signalsUsed: [],
  };
}

function sessionValue(cookie: string | undefined): string | undefined {
  return cookie === undefined ? undefined : /(?:^|;\s*)session=([^;]*)/.exec(cookie)?.[1];
}

function browser(facts: HttpRequestFacts): boolean {
  return facts.accept?.includes('text/html') ?? false;
}

export function originalUrl(facts: HttpRequestFacts): string {
  return `${facts.scheme}://${facts.host}${facts.path}`;
}

export function scriptedVerdict(facts: HttpRequestFacts): Verdict {
  const route = testRoute;
  if (facts.host.startsWith('unknown.example.com') || facts.path.startsWith('/unrouted')) return { kind: 'no-route', browser: browser(facts) };
  if (facts.host.startsWith('boom.example.com') || facts.path.startsWith('/boom')) throw new Error('scripted pipeline failure');
  if (facts.method === 'TRACE') return { kind: 'method-not-allowed', route, browser: browser(facts) };
  if (facts.host.startsWith('device.example.com') && facts.clientCertificate === undefined) return { kind: 'device-required', route, browser: browser(facts), problem: 'no client certificate' };
  switch (sessionValue(facts.cookie)) {
    case 'good':
      return { kind: 'allow', route, decision: testDecision('allow'), session: undefined, cached: false, headers: { 'X-Tenet-Assertion': 'assertion-for-alice', 'X-Email': 'alice@example.com' } };
    case 'good-noemail':
      return { kind: 'allow', route, decision: testDecision('allow'), session: undefined, cached: false, headers: { 'X-Tenet-Assertion': 'assertion-for-bob' } };
    case 'bad':
      return { kind: 'deny', route, decision: testDecision('deny'), browser: browser(facts) };
    case 'stepup':
      return { kind: 'step-up', route, decision: testDecision('step-up'), browser: browser(facts), stepUpUrl: `${LOGIN_BASE}?step-up=1&rd=${encodeURIComponent(originalUrl(facts))}` };
    default:
      return { kind: 'unauthenticated', route, browser: browser(facts), problem: 'no session cookie', loginUrl: `${LOGIN_BASE}?rd=${encodeURIComponent(originalUrl(facts))}` };
  }
}

/** The HttpAccess plus every call it received, in order. */
export function scriptedAccess(): { access: HttpAccess; calls: { facts: HttpRequestFacts; pep: string }[] } {
  const calls: { facts: HttpRequestFacts; pep: string }[] = [];
  return {
    calls,
    access: {
      authorize: async (facts, pep) => {
        calls.push({ facts, pep });
        return scriptedVerdict(facts);
      },
    },
  };
}
