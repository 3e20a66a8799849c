// Test doubles for the proxy's injected decision side: an HttpAccess that answers with scripted
// verdicts (recording the facts it was asked about), verdict builders over real RouteConfig values
// (parsed by the real schema, so defaults are the configured ones), and a small renderVerdict.
import { randomUUID } from 'node:crypto';
import { routesSchema, type RouteConfig } from '../../../config/enforcement-schema.js';
import type { Decision } from '../../../engine/decision.js';
import type { SessionRecord } from '../../../sessions/session.js';
import type { HttpAccess, HttpRequestFacts, UpstreamHeaders, Verdict } from '../../access/http-access.js';
import type { Refusal } from '../start-proxy.js';

export class ScriptedAccess implements HttpAccess {
  readonly calls: HttpRequestFacts[] = [];
  constructor(public script: (facts: HttpRequestFacts) => Verdict) {}

  async authorize(facts: HttpRequestFacts): Promise<Verdict> {
    this.calls.push(facts);
    return this.script(facts);
  }
}

export function testRoute(overrides: Record<string, unknown> = {}): RouteConfig {
  const [route] = routesSchema.parse([{ name: 'app', host: '*', resource: { type: 'App', id: 'app' }, ...overrides }]);
  if (!route) throw new Error('no route');
  return route;
}

export function testDecision(outcome: Decision['outcome']): Decision {
  return {
    id: randomUUID(),
    outcome,
    reasons: [{ code: outcome === 'allow' ? 'policy-permit' : 'policy-forbid', effect: outcome === 'allow' ? 'allow' : 'deny', message: 'test' }],
    risk: { score: 0, level: 'low', factors: [] },
    policies: { determining: [], errored: [], evaluated: 1, total: 1 },
    obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: 300 },
    policyVersion: 'test',
    decidedAt: new Date().toISOString(),
    latencyMicros: 1,
    signalsUsed: [],
  };
}

export function testSession(id: string): SessionRecord {
  const now = new Date().toISOString();
  return {
    id,
    loginId: `login-${id}`,
    host: 'app.test',
    identity: { providerId: 'idp', idpSubject: 'alice', subject: { type: 'User', id: 'alice' }, parents: [], attributes: {}, groups: [] },
    authn: { methods: ['pwd'], phishingResistant: false },
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

export function allow(route: RouteConfig, options: { headers?: UpstreamHeaders; session?: SessionRecord } = {}): Verdict {
  return { kind: 'allow', route, decision: testDecision('allow'), session: options.session, headers: options.headers ?? {}, cached: false };
}

export function deny(route: RouteConfig): Verdict {
  return { kind: 'deny', route, decision: testDecision('deny'), browser: false };
}

/** A renderVerdict for tests: the verdict kind and decision id as JSON, 403 for deny, 401 unauthenticated, 404 otherwise. */
export function renderTestVerdict(verdict: Refusal): { status: number; headers: Record<string, string>; body: string } {
  const status = verdict.kind === 'deny' ? 403 : verdict.kind === 'unauthenticated' || verdict.kind === 'step-up' ? 401 : 404;
  const decisionId = 'decision' in verdict ? verdict.decision.id : undefined;
  return { status, headers: { 'content-type': 'application/json', 'x-test-rendered': verdict.kind }, body: JSON.stringify({ kind: verdict.kind, decisionId }) };
}
