// Test double for the API tests: a DecisionPoint driven by a small rules table that returns real
// Decision objects. The HTTP layer is tested against this; the lead's integration tests run the
// real engine. Rule: the resource id's prefix picks the outcome (`allow-…`, `deny-…`, `stepup-…`);
// anything else is a deny with `no-applicable-policy`, as the real engine would default.
import { randomUUID } from 'node:crypto';
import type { Decision, Outcome } from '../../engine/decision.js';
import type { AccessRequest } from '../../engine/tuple.js';
import type { DecisionMeta, DecisionPoint, ReloadResult } from '../../pdp/decision-point.js';

export interface RecordedCall {
  readonly request: AccessRequest;
  readonly meta: DecisionMeta;
}

function outcomeFor(request: AccessRequest): Outcome | undefined {
  const id = request.resource.id;
  if (id.startsWith('allow-')) return 'allow';
  if (id.startsWith('deny-')) return 'deny';
  if (id.startsWith('stepup-')) return 'step-up';
  return undefined;
}

export function fakeDecision(outcome: Outcome | undefined, version: string): Decision {
  const base = {
    id: randomUUID(),
    risk: { score: 10, level: 'low' as const, factors: [{ name: 'authn-single-factor' as const, weight: 10, explanation: 'one authentication method' }] },
    policyVersion: version,
    decidedAt: '2025-06-27T18:03:00.000Z',
    latencyMicros: 120,
    signalsUsed: [],
  };
  switch (outcome) {
    case 'allow':
      return {
        ...base,
        outcome: 'allow',
        reasons: [{ code: 'policy-permit', effect: 'allow', message: 'Allowed by policy.', policyId: 'permit-readers' }],
        policies: { determining: ['permit-readers'], errored: [], evaluated: 2, total: 5 },
        obligations: { cacheTtlSeconds: 30, reevaluateAfterSeconds: 300 },
      };
    case 'deny':
      return {
        ...base,
        outcome: 'deny',
        reasons: [
          { code: 'policy-forbid', effect: 'deny', message: 'Blocked by policy.', policyId: 'forbid-contractors' },
          { code: 'policy-permit', effect: 'allow', message: 'Allowed by policy.', policyId: 'permit-readers' },
        ],
        policies: { determining: ['forbid-contractors'], errored: [{ policyId: 'p-broken', message: 'when { principal.secret_attr ... }' }], evaluated: 3, total: 5 },
        obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: 0 },
      };
    case 'step-up':
      return {
        ...base,
        outcome: 'step-up',
        reasons: [{ code: 'step-up-required', effect: 'deny', message: 'Sign in again with a security key.' }],
        policies: { determining: ['permit-readers'], errored: [], evaluated: 2, total: 5 },
        obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: 0, stepUp: { phishingResistant: true, maxAgeSeconds: 300 } },
      };
    case undefined:
      return {
        ...base,
        outcome: 'deny',
        reasons: [{ code: 'no-applicable-policy', effect: 'deny', message: 'No policy allows this request.' }],
        policies: { determining: [], errored: [], evaluated: 0, total: 5 },
        obligations: { cacheTtlSeconds: 0, reevaluateAfterSeconds: 0 },
      };
  }
}

export class FakeDecisionPoint implements DecisionPoint {
  readonly calls: RecordedCall[] = [];
  refreshes = 0;
  version = 'v1-abc';
  nextReload: ReloadResult | Error | undefined;

  async decide(request: AccessRequest, meta: DecisionMeta): Promise<Decision> {
    this.calls.push({ request, meta });
    return fakeDecision(outcomeFor(request), this.version);
  }

  async reload(): Promise<ReloadResult> {
    const next = this.nextReload ?? { ok: true, policyVersion: 'v2-def', previousVersion: this.version, issues: [] };
    if (next instanceof Error) throw next;
    if (next.ok) this.version = next.policyVersion;
    return next;
  }

  async refreshSignals(): Promise<void> {
    this.refreshes += 1;
  }

  policyVersion(): string {
    return this.version;
  }
}
