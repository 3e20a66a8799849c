// A random Cedar schema as a model the other generators read: entity types (with attributes,
// parent types, tags, enums), common types, and actions (with action groups and context). The
// model is rendered to Cedar schema text or JSON by schema-render.ts.
import type { Prng } from './prng.js';

export type ExtensionName = 'ipaddr' | 'decimal' | 'datetime' | 'duration';

export type TypeModel =
  | { readonly kind: 'Long' | 'String' | 'Bool' }
  | { readonly kind: 'Entity'; readonly name: string }
  | { readonly kind: 'Set'; readonly element: TypeModel }
  | { readonly kind: 'Record'; readonly attrs: readonly AttrModel[] }
  | { readonly kind: 'Ext'; readonly name: ExtensionName }
  | { readonly kind: 'Common'; readonly name: string; readonly target: TypeModel };

export interface AttrModel {
  readonly name: string;
  readonly type: TypeModel;
  readonly required: boolean;
}

export interface EntityTypeModel {
  /** Unqualified name as written in the schema. */
  readonly local: string;
  /** Fully qualified name as written in policies and entity JSON. */
  readonly name: string;
  readonly memberOf: readonly string[];
  readonly attrs: readonly AttrModel[];
  readonly tags?: TypeModel;
  readonly enumIds?: readonly string[];
}

export interface ActionModel {
  readonly id: string;
  readonly memberOf: readonly string[];
  /** Absent for a pure action group (no appliesTo). */
  readonly appliesTo?: { readonly principals: readonly string[]; readonly resources: readonly string[]; readonly context: readonly AttrModel[] };
}

export interface SchemaModel {
  /** '' for the empty namespace. */
  readonly namespace: string;
  readonly commonTypes: readonly { readonly name: string; readonly type: TypeModel }[];
  readonly entityTypes: readonly EntityTypeModel[];
  readonly actions: readonly ActionModel[];
  readonly actionType: string;
}

/** Resolves common-type references to the type they name. */
export function resolve(type: TypeModel): Exclude<TypeModel, { kind: 'Common' }> {
  return type.kind === 'Common' ? resolve(type.target) : type;
}

const ATTR_NAMES = ['name', 'age', 'level', 'owner', 'tags', 'addr', 'ip', 'score', 'since', 'ttl', 'flag', 'manager', 'items', 'meta', 'zone', 'n'];
const ENTITY_NAMES = ['User', 'Group', 'Doc', 'Folder', 'Device', 'Team', 'Color'];
const ACTION_NAMES = ['view', 'edit', 'delete', 'share', 'list', 'read write'];
const GROUP_NAMES = ['readOnly', 'all', 'admin actions'];
const EXTENSIONS: readonly ExtensionName[] = ['ipaddr', 'decimal', 'datetime', 'duration'];

export function randomSchema(rng: Prng): SchemaModel {
  const namespace = rng.weighted([
    [3, ''],
    [4, 'App'],
    [2, 'Acme::Corp'],
  ]);
  const qualify = (local: string): string => (namespace === '' ? local : `${namespace}::${local}`);
  const typeCount = rng.range(2, 5);
  const locals = ENTITY_NAMES.slice(0, typeCount);
  const names = locals.map(qualify);

  const commonTypes: { name: string; type: TypeModel }[] = [];
  if (rng.chance(0.4)) commonTypes.push({ name: 'Address', type: { kind: 'Record', attrs: randomAttrs(rng, names, [], 2, 1) } });
  if (rng.chance(0.2)) commonTypes.push({ name: 'Label', type: { kind: 'String' } });

  const entityTypes: EntityTypeModel[] = locals.map((local, i) => {
    if (local === 'Color' && rng.chance(0.7)) return { local, name: qualify(local), memberOf: [], attrs: [], enumIds: ['red', 'green', 'blue'] };
    // Parents may include the type itself (Group in [Group]) so that chains can be deep.
    const memberOf = rng.some(names.slice(Math.max(0, i - 1)), 2);
    const entity: EntityTypeModel = { local, name: qualify(local), memberOf, attrs: randomAttrs(rng, names, commonTypes, rng.range(0, 5), 2) };
    return rng.chance(0.25) ? { ...entity, tags: randomType(rng, names, commonTypes, 0) } : entity;
  });

  const plain = entityTypes.map((t) => t.name);
  const actions: ActionModel[] = [];
  const groups = rng.some(GROUP_NAMES, 2);
  for (const group of groups) actions.push({ id: group, memberOf: groups.filter((g) => g !== group && g < group).slice(0, 1) });
  for (const id of rng.some(ACTION_NAMES, 4))
    actions.push({
      id,
      memberOf: rng.some(groups, 2),
      appliesTo: { principals: rng.some(plain, 2).concat(plain.slice(0, 1)).filter(unique), resources: rng.some(plain, 3).concat(plain.slice(-1)).filter(unique), context: randomAttrs(rng, names, commonTypes, rng.range(0, 4), 2) },
    });
  if (!actions.some((a) => a.appliesTo !== undefined))
    actions.push({ id: 'view', memberOf: [], appliesTo: { principals: plain.slice(0, 1), resources: plain.slice(-1), context: [] } });
  return { namespace, commonTypes, entityTypes, actions, actionType: qualify('Action') };
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

function randomAttrs(rng: Prng, entityNames: readonly string[], common: readonly { name: string; type: TypeModel }[], count: number, depth: number): AttrModel[] {
  return rng.some(ATTR_NAMES, count).map((name) => ({ name, type: randomType(rng, entityNames, common, depth), required: rng.chance(0.7) }));
}

function randomType(rng: Prng, entityNames: readonly string[], common: readonly { name: string; type: TypeModel }[], depth: number): TypeModel {
  const choice = rng.weighted<string>([
    [5, 'Long'],
    [4, 'String'],
    [3, 'Bool'],
    [3, 'Entity'],
    [depth > 0 ? 3 : 0, 'Set'],
    [depth > 0 ? 2 : 0, 'Record'],
    [3, 'Ext'],
    [common.length > 0 ? 2 : 0, 'Common'],
  ]);
  switch (choice) {
    case 'Long':
    case 'String':
    case 'Bool':
      return { kind: choice };
    case 'Entity':
      return { kind: 'Entity', name: rng.pick(entityNames) };
    case 'Set':
      return { kind: 'Set', element: randomType(rng, entityNames, common, depth - 1) };
    case 'Record':
      return { kind: 'Record', attrs: randomAttrs(rng, entityNames, common, rng.range(1, 3), depth - 1) };
    case 'Ext':
      return { kind: 'Ext', name: rng.pick(EXTENSIONS) };
    default: {
      const picked = rng.pick(common);
      return { kind: 'Common', name: picked.name, target: picked.type };
    }
  }
}
