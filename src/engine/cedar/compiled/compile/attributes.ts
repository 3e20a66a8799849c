// Attribute and tag access on records and entities (`.`, `has`, `getTag`, `hasTag`).
// Cedar: reading a missing attribute or tag is an error, and so is reading any attribute of an
// entity that is not in the entity data; `has`/`hasTag` never error on a missing attribute, tag or
// entity — they answer false (https://docs.cedarpolicy.com/policies/syntax-operators.html#operator-has,
// https://docs.cedarpolicy.com/policies/syntax-entity.html#entity-tags).
import { CedarEvaluationError, EntityUid, RecordValue, type EntityGraph, type Value } from '../value.js';
import { missingEntityError, typeError } from './runtime-errors.js';

const RECORD_OR_ENTITY = 'one of [record, (entity of type `any_entity_type`)]';
const ENTITY = '(entity of type `any_entity_type`)';

export function getAttribute(target: Value, attr: string, graph: EntityGraph): Value {
  if (target instanceof RecordValue) {
    const value = target.fields.get(attr);
    if (value === undefined) throw new CedarEvaluationError(`record does not have the attribute \`${attr}\``);
    return value;
  }
  if (target instanceof EntityUid) {
    const data = graph.get(target);
    if (data === undefined) throw missingEntityError(target);
    const value = data.attrs.get(attr);
    if (value === undefined) throw new CedarEvaluationError(`\`${target.key}\` does not have the attribute \`${attr}\``);
    return value;
  }
  throw typeError(RECORD_OR_ENTITY, target);
}

export function hasAttribute(target: Value, attr: string, graph: EntityGraph): boolean {
  if (target instanceof RecordValue) return target.fields.has(attr);
  if (target instanceof EntityUid) return graph.get(target)?.attrs.has(attr) ?? false;
  throw typeError(RECORD_OR_ENTITY, target);
}

/**
 * `e has a.b.c`: Cedar defines it as `e has a && e.a has b && e.a.b has c`, so an intermediate
 * value that is neither record nor entity is a type error, while a missing step is just false.
 */
export function hasAttributePath(target: Value, path: readonly string[], graph: EntityGraph): boolean {
  let current = target;
  for (let i = 0; i < path.length; i++) {
    const attr = path[i] as string;
    if (!hasAttribute(current, attr, graph)) return false;
    if (i < path.length - 1) current = getAttribute(current, attr, graph);
  }
  return true;
}

function tagName(tag: Value): string {
  if (typeof tag !== 'string') throw typeError('string', tag);
  return tag;
}

export function getTag(target: Value, tag: Value, graph: EntityGraph): Value {
  if (!(target instanceof EntityUid)) throw typeError(ENTITY, target);
  const name = tagName(tag);
  const data = graph.get(target);
  if (data === undefined) throw missingEntityError(target);
  const value = data.tags.get(name);
  if (value === undefined) throw new CedarEvaluationError(`\`${target.key}\` does not have the tag \`${name}\``);
  return value;
}

export function hasTag(target: Value, tag: Value, graph: EntityGraph): boolean {
  if (!(target instanceof EntityUid)) throw typeError(ENTITY, target);
  const name = tagName(tag);
  return graph.get(target)?.tags.has(name) ?? false;
}
