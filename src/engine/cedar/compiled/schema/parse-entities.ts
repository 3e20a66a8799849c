// Entity JSON parsed against a schema, with Cedar 4's rules: every entity's type is declared (and
// its id listed, for an enumerated type); attributes and tags are parsed by their declared types
// and must conform; required attributes are present and undeclared ones absent; each parent's type
// is one the schema allows (transitively through `memberOfTypes`). An action entity may appear only
// if it exactly matches the schema's declaration — no attributes or tags, and as parents the
// *transitive closure* of its `memberOf` groups — and is then left out of the result, since
// `actionEntities(schema)` supplies the actions. A uid listed twice must be identical both times,
// and the parent edges among the listed entities must not form a cycle (not even `x in [x]`):
// Cedar computes the transitive closure when it builds the store and rejects a cyclic hierarchy.
// https://docs.cedarpolicy.com/auth/entities-syntax.html
import { RecordValue, valueKey, type EntityUid, type Value } from '../value.js';
import type { ParsedEntity } from './action-entities.js';
import { nonConforming, parseEntityUidJson, parseTypedValue } from './parse-value.js';
import { checkEnumId, checkValue } from './typecheck.js';
import { isActionType, type ActionSchema, type CedarSchema, type EntityTypeSchema } from './types.js';

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(json: unknown): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

function field(entity: JsonObject, name: string, path: string): unknown {
  if (!Object.hasOwn(entity, name)) throw nonConforming(path, `missing field \`${name}\``);
  return entity[name];
}

function parseAttrs(json: unknown, entityType: EntityTypeSchema | undefined, path: string): Map<string, Value> {
  if (!isObject(json)) throw nonConforming(path, 'expected a map of attributes');
  const attrs = new Map<string, Value>();
  for (const [name, value] of Object.entries(json)) {
    const declared = entityType?.shape.attributes.get(name);
    if (declared === undefined) throw nonConforming(`${path}.${name}`, `attribute \`${name}\` should not exist according to the schema`);
    attrs.set(name, parseTypedValue(value, declared.type, `${path}.${name}`));
  }
  return attrs;
}

function parseTags(json: unknown, entityType: EntityTypeSchema | undefined, path: string): Map<string, Value> {
  const tags = new Map<string, Value>();
  if (json === undefined) return tags;
  if (!isObject(json)) throw nonConforming(path, 'expected a map of tags');
  for (const [name, value] of Object.entries(json)) {
    if (entityType?.tags === undefined) throw nonConforming(`${path}.${name}`, `found a tag \`${name}\`, but no tags should exist on this entity according to the schema`);
    tags.set(name, parseTypedValue(value, entityType.tags, `${path}.${name}`));
  }
  return tags;
}

function parseParents(json: unknown, path: string): EntityUid[] {
  if (!Array.isArray(json)) throw nonConforming(path, 'expected a list of parents');
  return json.map((parent, i) => parseEntityUidJson(parent, `${path}[${i}]`));
}

function checkEntity(entity: ParsedEntity, entityType: EntityTypeSchema, schema: CedarSchema, path: string): void {
  checkEnumId(entity.uid, schema, `${path}.uid`);
  for (const [name, attribute] of entityType.shape.attributes) {
    const value = entity.attrs.get(name);
    if (value !== undefined) checkValue(value, attribute.type, schema, `${path}.attrs.${name}`);
    else if (attribute.required) throw nonConforming(`${path}.attrs`, `expected entity \`${entity.uid.key}\` to have attribute \`${name}\`, but it does not`);
  }
  if (entityType.tags !== undefined) for (const [name, value] of entity.tags) checkValue(value, entityType.tags, schema, `${path}.tags.${name}`);
  entity.parents.forEach((parent, i) => {
    if (!entityType.allowedParentTypes.has(parent.type)) {
      throw nonConforming(`${path}.parents[${i}]`, `\`${entity.uid.key}\` is not allowed to have an ancestor of type \`${parent.type}\` according to the schema`);
    }
    checkEnumId(parent, schema, `${path}.parents[${i}]`);
  });
}

/** Cedar compares a listed action with the schema's own action entity, whose ancestors are closed transitively. */
function checkAction(entity: ParsedEntity, action: ActionSchema | undefined, path: string): void {
  if (action === undefined) throw nonConforming(`${path}.uid`, `found action entity \`${entity.uid.key}\`, but it was not declared as an action in the schema`);
  const parents = new Set(entity.parents);
  const matches = entity.attrs.size === 0 && entity.tags.size === 0 && parents.size === action.ancestors.size && [...parents].every((parent) => action.ancestors.has(parent));
  if (!matches) throw nonConforming(path, `definition of action \`${entity.uid.key}\` does not match its schema declaration`);
}

function sameEntity(a: ParsedEntity, b: ParsedEntity): boolean {
  const parentKeys = (entity: ParsedEntity): string => [...new Set(entity.parents.map((parent) => parent.key))].sort().join(',');
  return valueKey(new RecordValue(a.attrs)) === valueKey(new RecordValue(b.attrs)) && valueKey(new RecordValue(a.tags)) === valueKey(new RecordValue(b.tags)) && parentKeys(a) === parentKeys(b);
}

/** Throws if following parents among `entities` ever comes back to where it started (iterative: hierarchies may be deep). */
function checkAcyclic(entities: ReadonlyMap<EntityUid, ParsedEntity>): void {
  const done = new Set<EntityUid>();
  const onPath = new Set<EntityUid>();
  for (const root of entities.keys()) {
    if (done.has(root)) continue;
    const stack: { uid: EntityUid; next: number }[] = [{ uid: root, next: 0 }];
    onPath.add(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { uid: EntityUid; next: number };
      const parent = entities.get(frame.uid)?.parents[frame.next];
      frame.next += 1;
      if (parent === undefined) {
        stack.pop();
        onPath.delete(frame.uid);
        done.add(frame.uid);
      } else if (onPath.has(parent)) {
        throw nonConforming('entities', `the entity hierarchy has a cycle containing \`${parent.key}\``);
      } else if (!done.has(parent) && entities.has(parent)) {
        onPath.add(parent);
        stack.push({ uid: parent, next: 0 });
      }
    }
  }
}

/**
 * Parses Cedar entity JSON (an array of `{uid, attrs, parents, tags?}`) against `schema`. Throws
 * TENET_ERR_REQUEST_INVALID naming the JSON path of the first problem. Action entities are checked
 * and omitted: take them from `actionEntities(schema)`.
 */
export function parseEntitiesWithSchema(json: unknown, schema: CedarSchema): ParsedEntity[] {
  if (!Array.isArray(json)) throw nonConforming('entities', 'expected a list of entities');
  const entities = new Map<EntityUid, ParsedEntity>();
  json.forEach((element: unknown, i) => {
    const path = `entities[${i}]`;
    if (!isObject(element)) throw nonConforming(path, 'expected an entity object');
    const uid = parseEntityUidJson(field(element, 'uid', path), `${path}.uid`);
    const action = isActionType(uid.type);
    const entityType = schema.entityTypes.get(uid.type);
    if (!action && entityType === undefined) throw nonConforming(`${path}.uid`, `entity \`${uid.key}\` has type \`${uid.type}\` which is not declared in the schema`);
    const entity: ParsedEntity = {
      uid,
      attrs: parseAttrs(field(element, 'attrs', path), entityType, `${path}.attrs`),
      parents: parseParents(field(element, 'parents', path), `${path}.parents`),
      tags: parseTags(element['tags'], entityType, `${path}.tags`),
    };
    if (action) checkAction(entity, schema.actions.get(uid.key), path);
    else if (entityType !== undefined) checkEntity(entity, entityType, schema, path);
    const previous = entities.get(uid);
    if (previous !== undefined && !sameEntity(previous, entity)) throw nonConforming(path, `duplicate entity entry \`${uid.key}\``);
    if (!action) entities.set(uid, entity);
  });
  checkAcyclic(entities);
  return [...entities.values()];
}
