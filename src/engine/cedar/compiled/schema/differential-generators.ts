// Test support for the differential tests (not used at run time): a seeded generator of Cedar JSON
// schemas and of entity/context JSON for them — valid values in every form Cedar accepts (implicit
// and explicit escapes, extension strings), each paired with its fully escaped equivalent, plus
// random mutations (wrong types, missing/extra attributes, bad enum ids and extension strings).
import type { CedarSchema, SchemaType } from './types.js';

export type Rng = () => number;

export { seededRandom as seededRng } from '../../../../testing/seeded-random.js';

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

type Json = unknown;
type JsonObject = Record<string, Json>;

// ---------------------------------------------------------------- schemas (Cedar JSON format)

const NAMESPACE_LAYOUTS: readonly (readonly string[])[] = [[''], ['', 'NS'], ['NS'], ['NS', 'Other']];
const EXTENSIONS = ['ipaddr', 'decimal', 'datetime', 'duration'] as const;

interface SchemaPlan {
  readonly entityTypes: { ns: string; name: string; full: string }[];
  readonly commonTypes: { ns: string; name: string; full: string }[];
}

function ref(fromNs: string, target: { ns: string; name: string; full: string }, rng: Rng): string {
  // Unqualified works from the same namespace and for the empty namespace's names from anywhere.
  return (target.ns === fromNs || target.ns === '') && chance(rng, 0.6) ? target.name : target.full;
}

function randomSchemaType(rng: Rng, ns: string, plan: SchemaPlan, depth: number, commonLimit: number): Json {
  const roll = rng();
  const commons = plan.commonTypes.slice(0, commonLimit);
  if (roll < 0.1) return pick(rng, [{ type: 'String' }, { type: 'EntityOrCommon', name: 'String' }, { type: '__cedar::String' }]);
  if (roll < 0.2) return pick(rng, [{ type: 'Long' }, { type: 'EntityOrCommon', name: 'Long' }]);
  if (roll < 0.27) return pick(rng, [{ type: 'Boolean' }, { type: 'EntityOrCommon', name: 'Bool' }, { type: 'Bool' }]);
  if (roll < 0.42) {
    const name = pick(rng, EXTENSIONS);
    return pick(rng, [{ type: 'Extension', name }, { type: name }, { type: 'EntityOrCommon', name }]);
  }
  if (roll < 0.57 && plan.entityTypes.length > 0) {
    const target = pick(rng, plan.entityTypes);
    return pick(rng, [{ type: 'Entity', name: ref(ns, target, rng) }, { type: 'EntityOrCommon', name: ref(ns, target, rng) }]);
  }
  if (roll < 0.67 && commons.length > 0) {
    const target = pick(rng, commons);
    return pick(rng, [{ type: ref(ns, target, rng) }, { type: 'EntityOrCommon', name: ref(ns, target, rng) }]);
  }
  if (roll < 0.8 && depth > 0) return { type: 'Set', element: randomSchemaType(rng, ns, plan, depth - 1, commonLimit) };
  if (depth > 0) return randomRecord(rng, ns, plan, depth - 1, commonLimit);
  return { type: 'Long' };
}

function randomRecord(rng: Rng, ns: string, plan: SchemaPlan, depth: number, commonLimit: number): JsonObject {
  const attributes: JsonObject = {};
  const count = Math.floor(rng() * 4);
  for (let i = 0; i < count; i += 1) {
    const attribute = randomSchemaType(rng, ns, plan, depth, commonLimit) as JsonObject;
    attributes[`a${i}`] = chance(rng, 0.3) ? { ...attribute, required: false } : attribute;
  }
  return { type: 'Record', attributes };
}

/** A random schema in Cedar's JSON format, valid by construction (no shadowing, no cycles). */
export function randomSchemaJson(rng: Rng): JsonObject {
  const namespaces = pick(rng, NAMESPACE_LAYOUTS);
  const plan: SchemaPlan = { entityTypes: [], commonTypes: [] };
  const enumTypes = new Set<string>();
  for (const ns of namespaces) {
    const prefix = ns === '' ? 'R' : ns === 'NS' ? 'E' : 'O';
    const full = (name: string): string => (ns === '' ? name : `${ns}::${name}`);
    const entityCount = 1 + Math.floor(rng() * 3);
    for (let i = 0; i < entityCount; i += 1) plan.entityTypes.push({ ns, name: `${prefix}${i}`, full: full(`${prefix}${i}`) });
    if (chance(rng, 0.5)) {
      plan.entityTypes.push({ ns, name: `${prefix}Enum`, full: full(`${prefix}Enum`) });
      enumTypes.add(full(`${prefix}Enum`));
    }
    const commonCount = Math.floor(rng() * 3);
    for (let i = 0; i < commonCount; i += 1) plan.commonTypes.push({ ns, name: `${prefix}C${i}`, full: full(`${prefix}C${i}`) });
  }
  // Common types first (all namespaces), each referring only to earlier ones: no cycles.
  const commonDefinitions = new Map<string, Json>();
  const recordCommons = new Set<string>();
  plan.commonTypes.forEach((common, index) => {
    const isRecord = chance(rng, 0.7);
    commonDefinitions.set(common.full, isRecord ? randomRecord(rng, common.ns, plan, 2, index) : randomSchemaType(rng, common.ns, plan, 2, index));
    if (isRecord) recordCommons.add(common.full);
  });
  const schema: JsonObject = {};
  for (const ns of namespaces) {
    const commonTypes: JsonObject = {};
    for (const common of plan.commonTypes) if (common.ns === ns) commonTypes[common.name] = commonDefinitions.get(common.full);
    const entityTypes: JsonObject = {};
    for (const entity of plan.entityTypes.filter((e) => e.ns === ns)) {
      if (enumTypes.has(entity.full)) {
        entityTypes[entity.name] = { enum: ['a', 'b', 'c'].slice(0, 1 + Math.floor(rng() * 3)) };
        continue;
      }
      const definition: JsonObject = {};
      const parents = plan.entityTypes.filter(() => chance(rng, 0.3));
      if (parents.length > 0 || chance(rng, 0.2)) definition['memberOfTypes'] = parents.map((parent) => ref(ns, parent, rng));
      if (chance(rng, 0.85)) {
        const shapes = plan.commonTypes.filter((c) => recordCommons.has(c.full) && (c.ns === ns || c.ns === ''));
        definition['shape'] = shapes.length > 0 && chance(rng, 0.15) ? { type: 'EntityOrCommon', name: ref(ns, pick(rng, shapes), rng) } : randomRecord(rng, ns, plan, 2, plan.commonTypes.length);
      }
      if (chance(rng, 0.3)) definition['tags'] = randomSchemaType(rng, ns, plan, 1, plan.commonTypes.length);
      entityTypes[entity.name] = definition;
    }
    const actions: JsonObject = {};
    // Action names differ per namespace: an action may not shadow one of the empty namespace.
    const actionNames = ['g', 'a0', 'a1', 'a2'].map((name) => (ns === '' ? name : `${ns.toLowerCase()}_${name}`));
    actionNames.forEach((name, index) => {
      const action: JsonObject = {};
      const groups = actionNames.slice(0, index).filter(() => chance(rng, 0.4));
      if (groups.length > 0) action['memberOf'] = groups.map((id) => (chance(rng, 0.5) ? { id } : { id, type: ns === '' ? 'Action' : `${ns}::Action` }));
      if (index > 0 || chance(rng, 0.3)) {
        const sample = (): string[] => plan.entityTypes.filter(() => chance(rng, 0.5)).map((e) => ref(ns, e, rng));
        const appliesTo: JsonObject = { principalTypes: sample(), resourceTypes: sample() };
        if (chance(rng, 0.8)) appliesTo['context'] = randomRecord(rng, ns, plan, 2, plan.commonTypes.length);
        action['appliesTo'] = appliesTo;
      }
      actions[name] = action;
    });
    schema[ns] = Object.keys(commonTypes).length > 0 ? { commonTypes, entityTypes, actions } : { entityTypes, actions };
  }
  return schema;
}

// ---------------------------------------------------------------- values

const STRINGS = ['', 'a', 'hello world', 'ünïcødé', '__entity'];
const LONGS = [0, 1, -1, 42, -7, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER];
export const EXTENSION_STRINGS: Readonly<Record<(typeof EXTENSIONS)[number], { fn: string; valid: readonly string[]; invalid: readonly string[] }>> = {
  ipaddr: { fn: 'ip', valid: ['10.0.0.1', '192.168.0.0/24', '::1', '2001:db8::/32', '127.0.0.1/32'], invalid: ['10.0.0.x', '1.2.3.4/33', '', 'localhost'] },
  decimal: { fn: 'decimal', valid: ['1.0', '-12.3456', '0.0001', '922337203685477.5807'], invalid: ['1', '1.23456', 'abc', '922337203685477.5808'] },
  datetime: { fn: 'datetime', valid: ['2024-01-01', '2024-01-01T10:00:00Z', '2024-02-29T23:59:59.999+0100'], invalid: ['2024-13-01', '2024-01-01T25:00:00Z', 'yesterday'] },
  duration: { fn: 'duration', valid: ['1h', '1d2h3m4s5ms', '-1h', '0ms'], invalid: ['1x', '', 'h1', '1h1d'] },
};

/** A valid value of `type`: `loose` in a randomly chosen accepted form, `escaped` fully escaped. */
export interface GeneratedValue {
  readonly loose: Json;
  readonly escaped: Json;
}

export function randomValue(rng: Rng, type: SchemaType, schema: CedarSchema, depth = 0): GeneratedValue {
  switch (type.kind) {
    case 'String': {
      const text = pick(rng, STRINGS);
      return { loose: text, escaped: text };
    }
    case 'Long': {
      const n = pick(rng, LONGS);
      return { loose: n, escaped: n };
    }
    case 'Boolean': {
      const b = chance(rng, 0.5);
      return { loose: b, escaped: b };
    }
    case 'Entity': {
      const enumIds = schema.entityTypes.get(type.name)?.enumIds;
      const id = enumIds === undefined ? pick(rng, ['x', 'y', 'z']) : pick(rng, [...enumIds]);
      const uid = { type: type.name, id };
      return { loose: chance(rng, 0.5) ? uid : { __entity: uid }, escaped: { __entity: uid } };
    }
    case 'Extension': {
      const { fn, valid } = EXTENSION_STRINGS[type.name];
      const arg = pick(rng, valid);
      const roll = rng();
      const loose = roll < 0.4 ? arg : roll < 0.7 ? { fn, arg } : { __extn: { fn, arg } };
      return { loose, escaped: { __extn: { fn, arg } } };
    }
    case 'Set': {
      const items = depth > 3 ? [] : Array.from({ length: Math.floor(rng() * 3) }, () => randomValue(rng, type.element, schema, depth + 1));
      return { loose: items.map((i) => i.loose), escaped: items.map((i) => i.escaped) };
    }
    case 'Record': {
      const loose: JsonObject = {};
      const escaped: JsonObject = {};
      for (const [name, attribute] of type.attributes) {
        if (!attribute.required && chance(rng, 0.5)) continue;
        const value = randomValue(rng, attribute.type, schema, depth + 1);
        loose[name] = value.loose;
        escaped[name] = value.escaped;
      }
      return { loose, escaped };
    }
  }
}

// ---------------------------------------------------------------- mutations

function junk(rng: Rng, schema: CedarSchema): Json {
  const types = [...schema.entityTypes.keys()];
  const ext = pick(rng, EXTENSIONS);
  return pick(rng, [
    1, -3, 'str', true, null, 1.5, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, [], {}, [1, 'a'],
    { __entity: { type: 'Zz', id: 'q' } },
    { type: pick(rng, types.length > 0 ? types : ['Zz']), id: pick(rng, ['x', 'zz', 'a', 'd']) },
    { __entity: { type: pick(rng, types.length > 0 ? types : ['Zz']), id: 'd' } },
    { __extn: { fn: EXTENSION_STRINGS[ext].fn, arg: pick(rng, EXTENSION_STRINGS[ext].valid) } },
    pick(rng, EXTENSION_STRINGS[ext].valid),
    pick(rng, EXTENSION_STRINGS[ext].invalid),
    { fn: EXTENSION_STRINGS[ext].fn, arg: pick(rng, EXTENSION_STRINGS[ext].invalid) },
    { __extn: { fn: 'nope', arg: 'x' } },
    { __expr: '1' },
    { a: 1 },
  ]);
}

/** Every container (object or array) in `json`, with itself. */
function containers(json: Json, out: (JsonObject | Json[])[] = []): (JsonObject | Json[])[] {
  if (typeof json === 'object' && json !== null) {
    out.push(json as JsonObject | Json[]);
    for (const child of Object.values(json)) containers(child, out);
  }
  return out;
}

/** Applies one random mutation in place somewhere in `json` (a deep copy is the caller's business). */
export function mutate(rng: Rng, json: Json, schema: CedarSchema): void {
  const all = containers(json);
  if (all.length === 0) return;
  const target = pick(rng, all);
  if (Array.isArray(target)) {
    if (target.length > 0 && chance(rng, 0.5)) target[Math.floor(rng() * target.length)] = junk(rng, schema);
    else target.push(junk(rng, schema));
    return;
  }
  const keys = Object.keys(target);
  const roll = rng();
  if (keys.length > 0 && roll < 0.3) delete target[pick(rng, keys)];
  else if (keys.length > 0 && roll < 0.8) target[pick(rng, keys)] = junk(rng, schema);
  else target[pick(rng, ['extra', 'a0', 'a1', 'a2', 'tagX'])] = junk(rng, schema);
}

// ---------------------------------------------------------------- entity lists

export interface GeneratedEntities {
  readonly loose: JsonObject[];
  /** Per non-action entity of `loose` (same order): its uid key and its attrs/tags fully escaped. */
  readonly escaped: { readonly key: string; readonly attrs: JsonObject; readonly tags: JsonObject }[];
}

/** Valid entity JSON for `schema` (ids may repeat, which Cedar accepts only for identical entries). */
export function randomEntities(rng: Rng, schema: CedarSchema): GeneratedEntities {
  const loose: JsonObject[] = [];
  const escaped: { key: string; attrs: JsonObject; tags: JsonObject }[] = [];
  const seen = new Set<string>();
  for (const entityType of schema.entityTypes.values()) {
    const count = Math.floor(rng() * 3);
    for (let i = 0; i < count; i += 1) {
      const id = entityType.enumIds === undefined ? pick(rng, ['x', 'y', 'z', 'w']) : pick(rng, [...entityType.enumIds]);
      const key = `${entityType.name}::${JSON.stringify(id)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const attrs = randomValue(rng, entityType.shape, schema);
      const parentTypes = [...entityType.allowedParentTypes];
      const parents = parentTypes.length === 0 ? [] : Array.from({ length: Math.floor(rng() * 3) }, () => {
        const type = pick(rng, parentTypes);
        const enumIds = schema.entityTypes.get(type)?.enumIds;
        const uid = { type, id: enumIds === undefined ? pick(rng, ['x', 'p']) : pick(rng, [...enumIds]) };
        return chance(rng, 0.3) ? { __entity: uid } : uid;
      });
      const tags: JsonObject = {};
      const tagsEscaped: JsonObject = {};
      if (entityType.tags !== undefined) {
        for (const tag of ['t1', 't2'].filter(() => chance(rng, 0.5))) {
          const value = randomValue(rng, entityType.tags, schema);
          tags[tag] = value.loose;
          tagsEscaped[tag] = value.escaped;
        }
      }
      const uid = chance(rng, 0.2) ? { __entity: { type: entityType.name, id } } : { type: entityType.name, id };
      const entity: JsonObject = { uid, attrs: attrs.loose, parents };
      if (Object.keys(tags).length > 0 || (entityType.tags !== undefined && chance(rng, 0.3))) entity['tags'] = tags;
      loose.push(entity);
      escaped.push({ key, attrs: attrs.escaped as JsonObject, tags: tagsEscaped });
    }
  }
  // An action entity now and then: as the schema declares it (ancestors transitively closed), or with direct parents only.
  const actions = [...schema.actions.values()];
  if (actions.length > 0 && chance(rng, 0.3)) {
    const action = pick(rng, actions);
    const parents = chance(rng, 0.7) ? [...action.ancestors] : action.memberOf;
    loose.push({ uid: { type: action.uid.type, id: action.uid.id }, attrs: {}, parents: parents.map((p) => ({ type: p.type, id: p.id })) });
  }
  return { loose, escaped };
}
