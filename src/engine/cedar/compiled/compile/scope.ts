// Policy scopes (`principal in Group::"g"`, `action in [A, B]`, `resource is Doc in Folder::"f"`)
// with template slots already replaced by their linked entities. A scope constraint never errors:
// principal, action and resource are always entities
// (https://docs.cedarpolicy.com/policies/syntax-policy.html#term-policy-scope).
import { TenetError } from '../../../../errors.js';
import type { ActionConstraint, EntityUidLiteral, PrincipalOrResourceConstraint, SlotId } from '../est.js';
import type { EntityData, EntityUid } from '../value.js';
import { entityFromLiteral } from './literal.js';

export type ScopeTest =
  | { readonly op: 'any' }
  | { readonly op: 'eq'; readonly uid: EntityUid }
  /** `in E` (one entity) or the action's `in [A, B]`: self or an ancestor is one of `uids`. */
  | { readonly op: 'in'; readonly uids: readonly EntityUid[] }
  | { readonly op: 'is'; readonly type: string; readonly in?: EntityUid };

/** `data` is the entity's graph entry, undefined when it is not in the graph (then it has no ancestors). */
export function scopeMatches(test: ScopeTest, uid: EntityUid, data: EntityData | undefined): boolean {
  switch (test.op) {
    case 'any':
      return true;
    case 'eq':
      return test.uid === uid;
    case 'in':
      for (const target of test.uids) if (target === uid || (data !== undefined && data.ancestors.has(target.key))) return true;
      return false;
    case 'is':
      return test.type === uid.type && (test.in === undefined || test.in === uid || (data !== undefined && data.ancestors.has(test.in.key)));
  }
}

type SlotValues = Readonly<Partial<Record<SlotId, EntityUid>>>;

function resolve(target: { readonly entity: EntityUidLiteral } | { readonly slot: SlotId }, slots: SlotValues, where: string): EntityUid {
  if ('entity' in target) return entityFromLiteral(target.entity);
  const uid = slots[target.slot];
  if (uid === undefined) throw new TenetError('TENET_ERR_POLICY_UNLINKED_SLOT', `${where}: slot ${target.slot} has no linked value`, [{ path: where, message: `slot ${target.slot} is not linked` }]);
  return uid;
}

export function principalOrResourceTest(constraint: PrincipalOrResourceConstraint, slots: SlotValues, where: string): ScopeTest {
  switch (constraint.op) {
    case 'All':
      return { op: 'any' };
    case '==':
      return { op: 'eq', uid: resolve(constraint, slots, where) };
    case 'in':
      return { op: 'in', uids: [resolve(constraint, slots, where)] };
    case 'is':
      return constraint.in === undefined ? { op: 'is', type: constraint.entity_type } : { op: 'is', type: constraint.entity_type, in: resolve(constraint.in, slots, where) };
  }
}

export function actionTest(constraint: ActionConstraint): ScopeTest {
  switch (constraint.op) {
    case 'All':
      return { op: 'any' };
    case '==':
      return { op: 'eq', uid: entityFromLiteral(constraint.entity) };
    case 'in':
      return { op: 'in', uids: 'entities' in constraint ? constraint.entities.map(entityFromLiteral) : [entityFromLiteral(constraint.entity)] };
  }
}
