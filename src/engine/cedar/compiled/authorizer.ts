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
import { ScopeIndex, sortAscending } from './compile/scope-index.js';
import { scopeMatches, type ScopeTest } from './compile/scope.js';
import type { EvalEnv } from './compile/env.js';
import { entityFromLiteral } from './compile/literal.js';
import type { ParsedPolicy, PrincipalOrResourceConstraint, SlotId, TemplateLink } from './est.js';
import { CedarEvaluationError, EntityUid, RecordValue, type EntityData, type EntityGraph } from './value.js';

export interface AuthorizationRequest {
  readonly principal: EntityUid;
  readonly action: EntityUid;
  readonly resource: EntityUid;
  readonly context: RecordValue;
}

export interface AuthorizationResponse {
  readonly decision: 'allow' | 'deny';
  /** Satisfied forbids when denied by a forbid, else satisfied permits; sorted. */
  readonly determining: readonly string[];
  readonly errored: readonly { readonly policyId: string; readonly message: string }[];
}

/** Shared, frozen: most requests are denied with nothing determining and nothing erroring. */
const NONE: readonly never[] = Object.freeze([]);
const DENY_NOTHING: AuthorizationResponse = Object.freeze({ decision: 'deny', determining: NONE, errored: NONE });

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

/** Placeholders for the reused environment between requests (never read: no request is running). */
const NO_ENTITY = EntityUid.of('__Tenet::NoRequest', '');
const NO_CONTEXT = new RecordValue(new Map());
const NO_GRAPH: EntityGraph = { get: () => undefined };

/** Whether the scope index's bucket test at this position is the exact scope test (see scope-index.ts). */
function indexIsExact(test: ScopeTest): boolean {
  switch (test.op) {
    case 'any':
    case 'eq':
      return true;
    case 'in':
      return new Set(test.uids).size === 1;
    case 'is':
      return test.in === undefined;
  }
}

/** Positions whose scope test the index does not settle, as bits: the authorizer tests them again. */
const PRINCIPAL = 1;
const ACTION = 2;
const RESOURCE = 4;
const EVERY_POSITION = PRINCIPAL | ACTION | RESOURCE;

function unsettledPositions(policy: CompiledPolicy): number {
  return (indexIsExact(policy.principal) ? 0 : PRINCIPAL) | (indexIsExact(policy.action) ? 0 : ACTION) | (indexIsExact(policy.resource) ? 0 : RESOURCE);
}

/** The scope test at the positions in `positions` (the others are known to match). */
function scopeOf(
  policy: CompiledPolicy,
  positions: number,
  request: AuthorizationRequest,
  principalData: EntityData | undefined,
  actionData: EntityData | undefined,
  resourceData: EntityData | undefined,
): boolean {
  return (
    ((positions & PRINCIPAL) === 0 || scopeMatches(policy.principal, request.principal, principalData)) &&
    ((positions & ACTION) === 0 || scopeMatches(policy.action, request.action, actionData)) &&
    ((positions & RESOURCE) === 0 || scopeMatches(policy.resource, request.resource, resourceData))
  );
}

/** The compiled set with its scope index. Not reentrant: `authorize` uses per-instance scratch space. */
class IndexedPolicySet implements CompiledPolicySet {
  readonly policyIds: readonly string[];
  private readonly ordinals: ReadonlyMap<string, number>;
  private readonly index: ScopeIndex;
  /** Per ordinal: the positions whose scope test the index's selection does not settle (tested again). */
  private readonly recheck: Uint8Array;
  // Scratch space reused by every request so the hot path allocates little.
  private readonly visited: Uint32Array;
  /** The ordinals the current request evaluates, ascending (a policy appears at most once). */
  private readonly candidates: Uint32Array;
  /** The ordinals of the satisfied forbids and permits, ascending. */
  private readonly forbids: Uint32Array;
  private readonly permits: Uint32Array;
  /**
   * The environment every condition of the current request reads, refilled per request rather
   * than allocated: at a few microseconds per decision, each object allocated per request is a
   * measurable share, and it is garbage the moment the request ends. Emptied after each request,
   * so nothing of a request outlives it (and a condition can never see another request's values).
   */
  private readonly env: { -readonly [K in keyof EvalEnv]: EvalEnv[K] };
  private epoch = 0;

  // INVARIANT: policies are sorted by id and ordinal i is policies[i], so walking candidates in
  // ascending ordinal order yields determining and erroring ids already sorted (the contract).
  constructor(private readonly policies: readonly CompiledPolicy[]) {
    this.policyIds = policies.map((p) => p.id);
    this.ordinals = new Map(policies.map((p, i) => [p.id, i]));
    this.index = new ScopeIndex(policies);
    this.recheck = Uint8Array.from(policies, unsettledPositions);
    this.visited = new Uint32Array(policies.length);
    this.candidates = new Uint32Array(policies.length);
    this.forbids = new Uint32Array(policies.length);
    this.permits = new Uint32Array(policies.length);
    this.env = { principal: NO_ENTITY, action: NO_ENTITY, resource: NO_ENTITY, context: NO_CONTEXT, graph: NO_GRAPH, principalData: undefined, actionData: undefined, resourceData: undefined };
  }

  authorize(request: AuthorizationRequest, graph: EntityGraph, policyIds?: readonly string[]): AuthorizationResponse {
    const principalData = graph.get(request.principal);
    const actionData = graph.get(request.action);
    const resourceData = graph.get(request.resource);
    const listed = policyIds !== undefined;
    const count = listed
      ? this.collectListed(policyIds)
      : this.index.select(request.principal, principalData, request.action, actionData, request.resource, resourceData, this.candidates);
    if (count === 0) return DENY_NOTHING;
    const env = this.env;
    env.principal = request.principal;
    env.action = request.action;
    env.resource = request.resource;
    env.context = request.context;
    env.graph = graph;
    env.principalData = principalData;
    env.actionData = actionData;
    env.resourceData = resourceData;
    try {
      return this.evaluate(request, count, listed, principalData, actionData, resourceData);
    } finally {
      env.principal = NO_ENTITY;
      env.action = NO_ENTITY;
      env.resource = NO_ENTITY;
      env.context = NO_CONTEXT;
      env.graph = NO_GRAPH;
      env.principalData = undefined;
      env.actionData = undefined;
      env.resourceData = undefined;
    }
  }

  /** Evaluates the `count` candidates in `this.env`'s request: Cedar's algorithm over them. */
  private evaluate(
    request: AuthorizationRequest,
    count: number,
    listed: boolean,
    principalData: EntityData | undefined,
    actionData: EntityData | undefined,
    resourceData: EntityData | undefined,
  ): AuthorizationResponse {
    const { policies, candidates, recheck, env, forbids, permits } = this;
    let forbidCount = 0;
    let permitCount = 0;
    let errored: { policyId: string; message: string }[] | undefined;
    // INVARIANT: no closure is created per request (tsx's keepNames makes each one costly, and
    // they are garbage); the loop below is the whole hot path. Candidates are ascending, so every
    // list below comes out sorted by id.
    for (let i = 0; i < count; i++) {
      const ordinal = candidates[i] as number;
      const policy = policies[ordinal] as CompiledPolicy;
      const positions = listed ? EVERY_POSITION : (recheck[ordinal] as number);
      if (positions !== 0 && !scopeOf(policy, positions, request, principalData, actionData, resourceData)) continue;
      let satisfied: boolean;
      try {
        satisfied = policy.condition(env);
      } catch (error) {
        // Only Cedar evaluation errors skip a policy; anything else is a defect (or a failing
        // entity store) and propagates so the engine fails closed.
        if (!(error instanceof CedarEvaluationError)) throw error;
        (errored ??= []).push({ policyId: policy.id, message: error.message });
        continue;
      }
      if (!satisfied) continue;
      if (policy.effect === 'forbid') forbids[forbidCount++] = ordinal;
      else permits[permitCount++] = ordinal;
    }
    const errors = errored ?? NONE;
    if (forbidCount > 0) return { decision: 'deny', determining: this.idsOf(forbids, forbidCount), errored: errors };
    if (permitCount > 0) return { decision: 'allow', determining: this.idsOf(permits, permitCount), errored: errors };
    return errored === undefined ? DENY_NOTHING : { decision: 'deny', determining: NONE, errored: errors };
  }

  /** The ids of `ordinals[0…count)`, in that order. */
  private idsOf(ordinals: Uint32Array, count: number): string[] {
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) ids[i] = (this.policies[ordinals[i] as number] as CompiledPolicy).id;
    return ids;
  }

  scopeMatches(request: AuthorizationRequest, graph: EntityGraph): string[] {
    const principalData = graph.get(request.principal);
    const actionData = graph.get(request.action);
    const resourceData = graph.get(request.resource);
    const count = this.index.select(request.principal, principalData, request.action, actionData, request.resource, resourceData, this.candidates);
    const found: string[] = [];
    for (let i = 0; i < count; i++) {
      const ordinal = this.candidates[i] as number;
      const policy = this.policies[ordinal] as CompiledPolicy;
      const positions = this.recheck[ordinal] as number;
      if (positions === 0 || scopeOf(policy, positions, request, principalData, actionData, resourceData)) found.push(policy.id);
    }
    return found;
  }

  /** Fills `candidates` with the ordinals of the listed policies (each once, ascending); returns how many. */
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
    sortAscending(this.candidates, count);
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
}
