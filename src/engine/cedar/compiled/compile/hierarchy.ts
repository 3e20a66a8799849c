// The `in` operator: hierarchy membership over the entity graph's precomputed ancestor sets.
// `A in B` is true when A == B or B is a transitive ancestor of A; `A in [B, C]` when A is in any
// of them. An entity missing from the graph has no ancestors, so it is `in` only itself
// (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-in).
import { EntityUid, SetValue, type EntityGraph, type Value } from '../value.js';
import { typeError } from './runtime-errors.js';

export function entityIn(uid: EntityUid, target: EntityUid, graph: EntityGraph): boolean {
  if (uid === target) return true;
  const data = graph.get(uid);
  return data !== undefined && data.ancestors.has(target.key);
}

/** `left in right` on evaluated operands, with Cedar's type checks. */
export function evaluateIn(left: Value, right: Value, graph: EntityGraph): boolean {
  if (!(left instanceof EntityUid)) throw typeError('(entity of type `any_entity_type`)', left);
  if (right instanceof EntityUid) return entityIn(left, right, graph);
  if (right instanceof SetValue) {
    // Cedar checks every element is an entity before answering, so a non-entity element is an
    // error even when an earlier element already matched (verified against cedar-wasm 4.13).
    for (const item of right.items) if (!(item instanceof EntityUid)) throw typeError('(entity of type `any_entity_type`)', item);
    const data = graph.get(left);
    for (const item of right.items) {
      const target = item as EntityUid;
      if (target === left || (data !== undefined && data.ancestors.has(target.key))) return true;
    }
    return false;
  }
  throw typeError('one of [set, (entity of type `any_entity_type`)]', right);
}
