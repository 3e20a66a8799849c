// The one call path from the AuthZEN endpoints into the decision point: decide (which also records
// the decision in the log) and count the outcome. DecisionPoint.decide never rejects by contract;
// a rejection here is a bug upstream and surfaces as a 500, never as an allow.
import type { Decision } from '../../engine/decision.js';
import type { AccessRequest } from '../../engine/tuple.js';
import type { DecisionPoint } from '../../pdp/decision-point.js';
import type { ApiCaller } from '../caller.js';
import type { ApiMetrics } from '../metrics.js';

export const AUTHZEN_PEP = 'authzen';

export type Decide = (request: AccessRequest, caller: ApiCaller | null) => Promise<Decision>;

export function makeDecide(decisionPoint: DecisionPoint, metrics: ApiMetrics): Decide {
  return async (request, caller) => {
    const decision = await decisionPoint.decide(request, caller === null ? { pep: AUTHZEN_PEP } : { pep: AUTHZEN_PEP, caller: caller.name });
    metrics.decisions.inc({ outcome: decision.outcome, pep: AUTHZEN_PEP });
    return decision;
  };
}
