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

function scopeOf(policy: CompiledPolicy, request: AuthorizationRequest, principalData: EntityData | undefined, actionData: EntityData | undefined, resourceData: EntityData | undefined): boolean {
  return (
    scopeMatches(policy.principal, request.principal, principalData) &&
    scopeMatches(policy.action, request.action, actionData) &&
    scopeMatches(policy.resource, request.resource, resourceData)
  );
}

/** The compiled set with its scope index. Not reentrant: `authorize` uses per-instance scratch space. */
class IndexedPolicySet implements CompiledPolicySet {
  readonly policyIds: readonly string[];
  private readonly ordinals: ReadonlyMap<string, number>;
  private readonly index: ScopeIndex;
  /** Per ordinal: 1 when the index's selection does not settle the policy's scope (it is tested again). */
  private readonly recheck: Uint8Array;
  // Scratch space reused by every request so the hot path allocates little.
  private readonly visited: Uint32Array;
  /** The ordinals the current request evaluates, ascending (a policy appears at most once). */
  private readonly candidates: Uint32Array;
  private epoch = 0;

  // INVARIANT: policies are sorted by id and ordinal i is policies[i], so walking candidates in
  // ascending ordinal order yields determining and erroring ids already sorted (the contract).
  constructor(private readonly policies: readonly CompiledPolicy[]) {
    this.policyIds = policies.map((p) => p.id);
    this.ordinals = new Map(policies.map((p, i) => [p.id, i]));
    this.index = new ScopeIndex(policies);
    this.recheck = Uint8Array.from(policies, (p) => (indexIsExact(p.principal) && indexIsExact(p.action) && indexIsExact(p.resource) ? 0 : 1));
    this.visited = new Uint32Array(policies.length);
    this.candidates = new Uint32Array(policies.length);
  }

  authorize(request: AuthorizationRequest, graph: EntityGraph, policyIds?: readonly string[]): AuthorizationResponse {
    const principalData = graph.get(request.principal);
    const actionData = graph.get(request.action);
    const resourceData = graph.get(request.resource);
    const listed = policyIds !== undefined;
    const count = listed
      ? this.collectListed(policyIds)
      : this.index.select(request.principal, principalData, request.action, actionData, request.resource, resourceData, this.candidates);
    if (count === 0) return { decision: 'deny', determining: [], errored: [] };
    const env: EvalEnv = { principal: request.principal, action: request.action, resource: request.resource, context: request.context, graph };
    const { policies, candidates, recheck } = this;
    let permits: string[] | undefined;
    let forbids: string[] | undefined;
    let errored: { policyId: string; message: string }[] | undefined;
    // INVARIANT: no closure is created per request (tsx's keepNames makes each one costly, and
    // they are garbage); the loop below is the whole hot path. Candidates are ascending, so every
    // list below comes out sorted by id.
    for (let i = 0; i < count; i++) {
      const ordinal = candidates[i] as number;
      const policy = policies[ordinal] as CompiledPolicy;
      if ((listed || recheck[ordinal] === 1) && !scopeOf(policy, request, principalData, actionData, resourceData)) continue;
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
      if (policy.effect === 'forbid') (forbids ??= []).push(policy.id);
      else (permits ??= []).push(policy.id);
    }
    const errors = errored ?? [];
    if (forbids !== undefined) return { decision: 'deny', determining: forbids, errored: errors };
    if (permits !== undefined) return { decision: 'allow', determining: permits, errored: errors };
    return { decision: 'deny', determining: [], errored: errors };
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
      if (this.recheck[ordinal] === 0 || scopeOf(policy, request, principalData, actionData, resourceData)) found.push(policy.id);
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
