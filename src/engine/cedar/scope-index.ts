// Scope slicing: index each policy by its scope (principal, action, resource constraints) so a
// request evaluates only the policies whose scope can match it.
//
// Why this preserves the answer: a policy is `scope && conditions`, and a scope that does not
// match is false without evaluating the conditions, so the policy is neither satisfied nor
// erroring. cedar-spec proves it in Lean (cedar-lean/Cedar/Thm/Slicing.lean: authorization over a
// sound slice equals authorization over the whole set); slicing.test.ts checks it differentially.
import type { EntityRef } from '../tuple.js';
import { entityKey, entityRefFromJson } from './entity-key.js';

/** A scope constraint with entities reduced to their keys. */
export type ScopeConstraint =
  | { readonly op: 'all' }
  | { readonly op: 'eq'; readonly key: string }
  | { readonly op: 'in'; readonly keys: readonly string[] }
  | { readonly op: 'is'; readonly type: string; readonly inKey?: string };

export interface PolicyScope {
  readonly id: string;
  readonly principal: ScopeConstraint;
  readonly action: ScopeConstraint;
  readonly resource: ScopeConstraint;
}

/** One side of a request as slicing sees it: the entity, its type, and itself plus every transitive ancestor. */
export interface ScopeSubject {
  readonly key: string;
  readonly type: string;
  readonly selfAndAncestors: ReadonlySet<string>;
}

export interface ScopeQuery {
  readonly principal: ScopeSubject;
  readonly action: ScopeSubject;
  readonly resource: ScopeSubject;
}

function refKey(value: unknown): string {
  const ref = entityRefFromJson(value);
  if (ref === undefined) throw new Error(`unexpected entity in policy scope: ${JSON.stringify(value)}`);
  return entityKey(ref);
}

/** Reads a scope constraint from Cedar's policy JSON (`policyToJson`). Templates (slots) are not supported. */
export function scopeConstraintFromJson(json: unknown): ScopeConstraint {
  const c = json as { op: string; entity?: unknown; entities?: unknown[]; entity_type?: string; in?: { entity?: unknown } };
  switch (c.op) {
    case 'All':
      return { op: 'all' };
    case '==':
      return { op: 'eq', key: refKey(c.entity) };
    case 'in':
      return { op: 'in', keys: c.entities !== undefined ? c.entities.map(refKey) : [refKey(c.entity)] };
    case 'is':
      if (c.entity_type === undefined) throw new Error('`is` constraint without a type');
      return c.in?.entity === undefined ? { op: 'is', type: c.entity_type } : { op: 'is', type: c.entity_type, inKey: refKey(c.in.entity) };
    default:
      throw new Error(`unsupported scope constraint: ${JSON.stringify(json)}`);
  }
}

export function constraintMatches(constraint: ScopeConstraint, subject: ScopeSubject): boolean {
  switch (constraint.op) {
    case 'all':
      return true;
    case 'eq':
      return constraint.key === subject.key;
    case 'in':
      return constraint.keys.some((key) => subject.selfAndAncestors.has(key));
    case 'is':
      return constraint.type === subject.type && (constraint.inKey === undefined || subject.selfAndAncestors.has(constraint.inKey));
  }
}

/** Buckets for one scope position, so candidates are found by lookups rather than a scan. */
class PositionIndex {
  private readonly all: string[] = [];
  private readonly byKey = new Map<string, string[]>();
  private readonly byType = new Map<string, string[]>();

  add(id: string, constraint: ScopeConstraint): void {
    switch (constraint.op) {
      case 'all':
        this.all.push(id);
        return;
      case 'eq':
        push(this.byKey, constraint.key, id);
        return;
      case 'in':
        for (const key of new Set(constraint.keys)) push(this.byKey, key, id);
        return;
      case 'is':
        push(this.byType, constraint.type, id);
        return;
    }
  }

  /** Every policy whose constraint at this position may match (a superset; the caller filters). */
  candidates(subject: ScopeSubject): Set<string> {
    const found = new Set<string>(this.all);
    for (const key of subject.selfAndAncestors) for (const id of this.byKey.get(key) ?? []) found.add(id);
    for (const id of this.byType.get(subject.type) ?? []) found.add(id);
    return found;
  }
}

function push(map: Map<string, string[]>, key: string, id: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else list.push(id);
}

export class ScopeIndex {
  private readonly scopes = new Map<string, PolicyScope>();
  private readonly principals = new PositionIndex();
  private readonly resources = new PositionIndex();

  constructor(scopes: Iterable<PolicyScope>) {
    for (const scope of scopes) {
      this.scopes.set(scope.id, scope);
      this.principals.add(scope.id, scope.principal);
      this.resources.add(scope.id, scope.resource);
    }
  }

  /** Ids of the policies whose whole scope matches, sorted (a stable key for caching the slice). */
  select(query: ScopeQuery): string[] {
    const byPrincipal = this.principals.candidates(query.principal);
    const byResource = this.resources.candidates(query.resource);
    const [smaller, larger] = byPrincipal.size <= byResource.size ? [byPrincipal, byResource] : [byResource, byPrincipal];
    const selected: string[] = [];
    for (const id of smaller) {
      if (!larger.has(id)) continue;
      const scope = this.scopes.get(id);
      if (scope !== undefined && constraintMatches(scope.action, query.action) && constraintMatches(scope.principal, query.principal) && constraintMatches(scope.resource, query.resource)) {
        selected.push(id);
      }
    }
    return selected.sort();
  }
}

/** Every entity literal a policy names (scope and conditions), so the slice can include them. */
export function entityLiterals(policyJson: { readonly principal: unknown; readonly action: unknown; readonly resource: unknown; readonly conditions: unknown }): EntityRef[] {
  const found = new Map<string, EntityRef>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if ('__entity' in node || ('type' in node && 'id' in node && Object.keys(node).length === 2)) {
      const ref = entityRefFromJson(node);
      if (ref !== undefined) {
        found.set(entityKey(ref), ref);
        return;
      }
    }
    for (const value of Object.values(node)) visit(value);
  };
  // Annotations are skipped on purpose: `@type("a") @id("b")` would read as an entity.
  visit([policyJson.principal, policyJson.action, policyJson.resource, policyJson.conditions]);
  return [...found.values()];
}
