// The trust algorithm for one request (NIST SP 800-207 §3.3): the score-based assessment feeds the
// criteria-based one (Cedar), and Cedar decides first. A Cedar allow is then held to the
// resource's risk threshold, when the resource has a configured sensitivity; without one the
// outcome is exactly Cedar's (the risk is still in the context for policies to use).
import { isTenetError } from '../errors.js';
import { authnIndependentContext, buildContext, type AuthnIndependentContext } from './cedar/context.js';
import { entityKey } from './cedar/entity-key.js';
import { EntitySlice } from './cedar/entity-slice.js';
import type { EvaluationResult } from './cedar/evaluator.js';
import type { PolicyDiagnostics, Reason, RiskAssessment } from './decision.js';
import type { PolicySet } from './policy-set.js';
import { cedarReasons, invalidRequestReason, riskReasons, riskTooHighReason, signalReasons } from './reasons-for.js';
import { assessRisk } from './risk/assess.js';
import type { EngineSettings } from './settings.js';
import type { CedarEntity, SignalSnapshot } from './signals.js';
import type { AccessRequest, EntityRef } from './tuple.js';

export interface TrustEvaluation {
  readonly allowed: boolean;
  /** The request itself was malformed: nothing (in particular no step-up) can make it pass. */
  readonly invalidRequest: boolean;
  readonly reasons: readonly Reason[];
  readonly risk: RiskAssessment;
  readonly policies: PolicyDiagnostics;
  readonly signalsUsed: readonly string[];
  /**
   * What a re-evaluation of the same request with other authentication (step-up) can reuse;
   * absent when the request was invalid.
   */
  readonly reusable?: AuthnIndependent;
}

/**
 * The parts of one request's evaluation that do not depend on its authentication: the context
 * parts and the scope and entity slices (scope matching and entity slicing read only the
 * principal, action, resource, their properties and request-time parents, and the store). Passing
 * the same entity list again lets an evaluator reuse what it built from it.
 */
export interface AuthnIndependent {
  readonly context: AuthnIndependentContext;
  readonly slice: PreparedSlice;
}

interface PreparedSlice {
  /** Empty when no policy's scope matches: Cedar is not called. */
  readonly policyIds: readonly string[];
  readonly entities: readonly CedarEntity[];
  /** Keys of the slice's entities found in the store (for `signalsUsed`). */
  readonly storedKeys: ReadonlySet<string>;
}

const NOTHING_EVALUATED: EvaluationResult = { decision: 'deny', determining: [], errored: [] };

function baseSignals(request: AccessRequest, policySet: PolicySet): string[] {
  const used = [`policy-set:${policySet.version}`, `entity:${entityKey(request.subject)}`, `entity:${entityKey(request.resource)}`];
  if (request.deviceId !== undefined) used.push(`device:${request.deviceId}`);
  if (request.environment.ip !== undefined) used.push('threat-intel');
  return used;
}

/** The request's scope slice and entity slice; the entity slice grows with the literals the chosen policies name. */
function prepareSlice(request: AccessRequest, signals: SignalSnapshot, policySet: PolicySet): PreparedSlice {
  const slice = new EntitySlice(signals.entities, policySet.actions);
  slice.addRequestEntity(request.subject, 'subject');
  slice.addRequestEntity(request.resource, 'resource');
  const action: EntityRef = { type: 'Action', id: request.action.name };
  slice.addAction(action);
  const side = (ref: EntityRef) => ({ key: entityKey(ref), type: ref.type, selfAndAncestors: slice.selfAndAncestors(ref) });
  const policyIds = policySet.scopes.select({ principal: side(request.subject), action: side(action), resource: side(request.resource) });
  if (policyIds.length === 0) return { policyIds, entities: [], storedKeys: slice.storedKeys };
  for (const id of policyIds) for (const literal of policySet.policies.get(id)?.literals ?? []) slice.add(literal);
  return { policyIds, entities: slice.toArray(), storedKeys: slice.storedKeys };
}

/** Cedar over the prepared slices. */
function evaluatePolicies(request: AccessRequest, policySet: PolicySet, context: ReturnType<typeof buildContext>, slice: PreparedSlice): { result: EvaluationResult; evaluated: number } {
  if (slice.policyIds.length === 0) return { result: NOTHING_EVALUATED, evaluated: 0 };
  const result = policySet.evaluator.evaluate({
    principal: { type: request.subject.type, id: request.subject.id },
    action: { type: 'Action', id: request.action.name },
    resource: { type: request.resource.type, id: request.resource.id },
    context,
    entities: slice.entities,
    policyIds: slice.policyIds,
  });
  return { result, evaluated: slice.policyIds.length };
}

/** Throws only on evaluator failure (the caller fails closed); a malformed request is a deny. */
/**
 * `reuse`, when given, must come from an evaluation of this same request with other
 * authentication (step-up's counterfactuals).
 */
export function evaluateTrust(request: AccessRequest, signals: SignalSnapshot, policySet: PolicySet, settings: EngineSettings, reuse?: AuthnIndependent): TrustEvaluation {
  const risk = assessRisk(request, signals, settings);
  const signalsUsed = baseSignals(request, policySet);
  let evaluation: { result: EvaluationResult; evaluated: number };
  let reusable: AuthnIndependent;
  try {
    const parts = reuse?.context ?? authnIndependentContext(request, signals, settings);
    const context = buildContext(request, signals, risk, settings, parts);
    const slice = reuse?.slice ?? prepareSlice(request, signals, policySet);
    reusable = reuse ?? { context: parts, slice };
    evaluation = evaluatePolicies(request, policySet, context, slice);
  } catch (error) {
    if (!isTenetError(error) || error.code !== 'TENET_ERR_REQUEST_INVALID') throw error;
    return {
      allowed: false,
      invalidRequest: true,
      reasons: [invalidRequestReason(error.message)],
      risk,
      policies: { determining: [], errored: [], evaluated: 0, total: policySet.total },
      signalsUsed,
    };
  }
  for (const key of reusable.slice.storedKeys) if (!signalsUsed.includes(`entity:${key}`)) signalsUsed.push(`entity:${key}`);

  const { result, evaluated } = evaluation;
  const threshold = risk.threshold;
  const overThreshold = threshold !== undefined && risk.score > threshold.maxScore;
  const reasons: Reason[] = [...cedarReasons(result, policySet)];
  if (result.decision === 'allow' && overThreshold) reasons.push(riskTooHighReason(risk));
  reasons.push(...riskReasons(risk), ...signalReasons(request, signals, settings));
  return {
    allowed: result.decision === 'allow' && !overThreshold,
    invalidRequest: false,
    reasons,
    risk,
    policies: { determining: result.determining, errored: result.errored, evaluated, total: policySet.total },
    signalsUsed,
    reusable,
  };
}
