// Compiles a Cedar policy set (static policies, templates and their links) and authorizes
// requests against an entity graph with Cedar's algorithm
// (https://docs.cedarpolicy.com/auth/authorization.html):
//   - a policy whose scope matches and whose conditions evaluate to true is satisfied;
//   - a policy whose evaluation errors is skipped and reported in `errored`;
//   - any satisfied forbid → deny, determined by the satisfied forbids (forbid overrides permit);
//   - else any satisfied permit → allow, determined by the satisfied permits;
//   - else deny with nothing determining (deny by default).
// Templates never apply themselves; only their links do.
import { TenetError } from '../../../errors.js';
import { compilePolicy, type CompiledPolicy } from './compile/policy.js';
import { PositionIndex } from './compile/scope-index.js';
import { scopeMatches } from './compile/scope.js';
import type { EvalEnv } from './compile/env.js';
import { entityFromLiteral } from './compile/literal.js';
import type { ParsedPolicy, PrincipalOrResourceConstraint, SlotId, TemplateLink } from './est.js';
import { CedarEvaluationError, type EntityData, type EntityGraph, type EntityUid, type RecordValue } from './value.js';

export interface AuthorizationRequest {
  readonly principal: EntityUid;
  readonly action: EntityUid;
  readonly resource: EntityUid;
  readonly context: RecordValue;
}

export interface AuthorizationResponse {
  readonly decision: 'allow' | 'deny';
  /** Satisfied forbids when denied by a forbid, else satisfied permits; sorted. */
  readonly determining: string[];
  readonly errored: { readonly policyId: string; readonly message: string }[];
}

export interface CompiledPolicySet {
  /** Ids of the policies that can apply (static policies and template links, not templates), sorted. */
  readonly policyIds: readonly string[];
  /**
   * Authorizes one request. `policyIds` restricts evaluation to those policies (a slice chosen by
   * the caller; an id not in this set is TENET_ERR_ENGINE_UNKNOWN_POLICY).
   */
  authorize(request: AuthorizationRequest, graph: EntityGraph, policyIds?: readonly string[]): AuthorizationResponse;
  /** Ids of the policies whose scope matches the request (what `authorize` evaluates), sorted. */
  scopeMatches(request: AuthorizationRequest, graph: EntityGraph): string[];
}

function invalidSet(message: string, path: string): TenetError {
  return new TenetError('TENET_ERR_POLICY_INVALID_SET', message, [{ path, message }]);
}

function slotsOf(...constraints: PrincipalOrResourceConstraint[]): Set<SlotId> {
  const slots = new Set<SlotId>();
  for (const c of constraints) {
    if ((c.op === '==' || c.op === 'in') && 'slot' in c) slots.add(c.slot);
    if (c.op === 'is' && c.in !== undefined && 'slot' in c.in) slots.add(c.in.slot);
  }
  return slots;
}

/** Compiles static policies and template links; throws TenetError for duplicate ids, bad links or malformed policies. */
export function compilePolicySet(policies: readonly ParsedPolicy[], links: readonly TemplateLink[] = []): CompiledPolicySet {
  const ids = new Set<string>();
  const claim = (id: string, path: string): void => {
    if (ids.has(id)) throw invalidSet(`policy id ${JSON.stringify(id)} is used more than once`, path);
    ids.add(id);
  };
  const compiled: CompiledPolicy[] = [];
  const templates = new Map<string, ParsedPolicy>();
  for (const policy of policies) {
    claim(policy.id, `policy ${JSON.stringify(policy.id)}`);
    if (policy.isTemplate) templates.set(policy.id, policy);
    else compiled.push(compilePolicy(policy.id, policy.ast));
  }
  for (const [i, link] of links.entries()) {
    const path = `links[${i}]`;
    const template = templates.get(link.templateId);
    if (template === undefined) throw invalidSet(`link ${JSON.stringify(link.newId)}: no template ${JSON.stringify(link.templateId)}`, path);
    claim(link.newId, path);
    // Cedar requires a value for exactly the slots the template has.
    const wanted = slotsOf(template.ast.principal, template.ast.resource);
    const given = Object.keys(link.values) as SlotId[];
    for (const slot of wanted) if (link.values[slot] === undefined) throw invalidSet(`link ${JSON.stringify(link.newId)}: no value for ${slot}`, path);
    for (const slot of given) if (!wanted.has(slot)) throw invalidSet(`link ${JSON.stringify(link.newId)}: template ${JSON.stringify(link.templateId)} has no slot ${slot}`, path);
    const slots: Partial<Record<SlotId, EntityUid>> = {};
    for (const slot of wanted) slots[slot] = entityFromLiteral(link.values[slot] as NonNullable<TemplateLink['values'][SlotId]>);
    compiled.push(compilePolicy(link.newId, template.ast, slots));
  }
  compiled.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new IndexedPolicySet(compiled);
}

interface Tally {
  permits: string[] | undefined;
  forbids: string[] | undefined;
  errored: { policyId: string; message: string }[] | undefined;
}

function byPolicyId(a: { readonly policyId: string }, b: { readonly policyId: string }): number {
  return a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0;
}

/** Evaluates the conditions of a policy whose scope matched and records the outcome. */
function evaluatePolicy(policy: CompiledPolicy, env: EvalEnv, tally: Tally): void {
  let satisfied: boolean;
  try {
    satisfied = policy.condition(env);
  } catch (error) {
    // Only Cedar evaluation errors skip a policy; anything else is a defect (or a failing
    // entity store) and propagates so the engine fails closed.
    if (!(error instanceof CedarEvaluationError)) throw error;
    (tally.errored ??= []).push({ policyId: policy.id, message: error.message });
    return;
  }
  if (!satisfied) return;
  if (policy.effect === 'forbid') (tally.forbids ??= []).push(policy.id);
  else (tally.permits ??= []).push(policy.id);
}

/** The compiled set with its scope index. Not reentrant: `authorize` uses per-instance scratch space. */
class IndexedPolicySet implements CompiledPolicySet {
  readonly policyIds: readonly string[];
  private readonly ordinals: ReadonlyMap<string, number>;
  private readonly principals = new PositionIndex();
  private readonly actions = new PositionIndex();
  private readonly resources = new PositionIndex();
  // Scratch space reused by every request so the hot path allocates little.
  private readonly buckets: [(readonly number[])[], (readonly number[])[], (readonly number[])[]] = [[], [], []];
  private readonly visited: Uint32Array;
  /** The ordinals the current request evaluates (a policy appears at most once). */
  private readonly candidates: Uint32Array;
  private epoch = 0;

  // INVARIANT: policies are sorted by id and ordinal i is policies[i].
  constructor(private readonly policies: readonly CompiledPolicy[]) {
    this.policyIds = policies.map((p) => p.id);
    this.ordinals = new Map(policies.map((p, i) => [p.id, i]));
    policies.forEach((policy, i) => {
      this.principals.add(i, policy.principal);
      this.actions.add(i, policy.action);
      this.resources.add(i, policy.resource);
    });
    this.visited = new Uint32Array(policies.length);
    this.candidates = new Uint32Array(policies.length);
  }

  authorize(request: AuthorizationRequest, graph: EntityGraph, policyIds?: readonly string[]): AuthorizationResponse {
    const env: EvalEnv = { principal: request.principal, action: request.action, resource: request.resource, context: request.context, graph };
    const principalData = graph.get(request.principal);
    const actionData = graph.get(request.action);
    const resourceData = graph.get(request.resource);
    const count = policyIds === undefined ? this.collectCandidates(request, principalData, actionData, resourceData) : this.collectListed(policyIds);
    const tally: Tally = { permits: undefined, forbids: undefined, errored: undefined };
    // INVARIANT: no closure is created per request (tsx's keepNames makes each one costly, and
    // they are garbage); the loop below is the whole hot path.
    for (let i = 0; i < count; i++) {
      const policy = this.policies[this.candidates[i] as number] as CompiledPolicy;
      if (
        scopeMatches(policy.principal, request.principal, principalData) &&
        scopeMatches(policy.action, request.action, actionData) &&
        scopeMatches(policy.resource, request.resource, resourceData)
      ) {
        evaluatePolicy(policy, env, tally);
      }
    }
    const errors = tally.errored === undefined ? [] : tally.errored.sort(byPolicyId);
    if (tally.forbids !== undefined) return { decision: 'deny', determining: tally.forbids.sort(), errored: errors };
    if (tally.permits !== undefined) return { decision: 'allow', determining: tally.permits.sort(), errored: errors };
    return { decision: 'deny', determining: [], errored: errors };
  }

  scopeMatches(request: AuthorizationRequest, graph: EntityGraph): string[] {
    const principalData = graph.get(request.principal);
    const actionData = graph.get(request.action);
    const resourceData = graph.get(request.resource);
    const count = this.collectCandidates(request, principalData, actionData, resourceData);
    const found: string[] = [];
    for (let i = 0; i < count; i++) {
      const policy = this.policies[this.candidates[i] as number] as CompiledPolicy;
      if (
        scopeMatches(policy.principal, request.principal, principalData) &&
        scopeMatches(policy.action, request.action, actionData) &&
        scopeMatches(policy.resource, request.resource, resourceData)
      ) {
        found.push(policy.id);
      }
    }
    return found.sort();
  }

  /** Fills `candidates` with the ordinals of the listed policies (each once); returns how many. */
  private collectListed(policyIds: readonly string[]): number {
    const epoch = this.nextEpoch();
    let count = 0;
    for (const id of policyIds) {
      const ordinal = this.ordinals.get(id);
      if (ordinal === undefined) throw new TenetError('TENET_ERR_ENGINE_UNKNOWN_POLICY', `policy ${id} is not in this policy set`);
      if (this.visited[ordinal] === epoch) continue;
      this.visited[ordinal] = epoch;
      this.candidates[count++] = ordinal;
    }
    return count;
  }

  /** A fresh stamp for `visited`: marking ordinals per request instead of allocating a set. */
  private nextEpoch(): number {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.visited.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }

  /**
   * Fills `candidates` with each policy of the smallest position's buckets, once (a superset of
   * the scope matches); returns how many.
   */
  private collectCandidates(request: AuthorizationRequest, principalData: EntityData | undefined, actionData: EntityData | undefined, resourceData: EntityData | undefined): number {
    const [byPrincipal, byAction, byResource] = this.buckets;
    byPrincipal.length = 0;
    byAction.length = 0;
    byResource.length = 0;
    const principalCount = this.principals.collect(request.principal, principalData, byPrincipal);
    const actionCount = this.actions.collect(request.action, actionData, byAction);
    const resourceCount = this.resources.collect(request.resource, resourceData, byResource);
    const chosen =
      principalCount <= actionCount && principalCount <= resourceCount ? byPrincipal : actionCount <= resourceCount ? byAction : byResource;

    // A policy can sit in several buckets of one position (`action in [A, B]`, ancestor cycles).
    const epoch = this.nextEpoch();
    let count = 0;
    for (const bucket of chosen) {
      for (const ordinal of bucket) {
        if (this.visited[ordinal] === epoch) continue;
        this.visited[ordinal] = epoch;
        this.candidates[count++] = ordinal;
      }
    }
    return count;
  }
}
