// Cedar's entity JSON (a list of `{uid, attrs, parents, tags?}`) without a schema → entity
// records and a ready InMemoryEntityGraph (https://docs.cedarpolicy.com/auth/entities-syntax.html).
// Rules checked against cedar-wasm 4.13: `attrs` and `parents` are required, `tags` optional,
// unknown top-level fields ignored; the same uid twice is accepted only when both entries are
// identical; a parent cycle (a self-parent included) rejects the whole list.
import { InMemoryEntityGraph, type EntityRecord } from '../entity-graph.js';
import { RecordValue, valueKey, type Value } from '../value.js';
import { entityUidFromJson, invalidJson, valueFromJson } from './cedar-value-json.js';

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(json: unknown): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

function valueMap(json: unknown, path: string): Map<string, Value> {
  if (!isObject(json)) throw invalidJson(path, 'expected an object');
  const map = new Map<string, Value>();
  for (const key in json) {
    if (Object.prototype.hasOwnProperty.call(json, key)) map.set(key, valueFromJson(json[key], `${path}.${key}`));
  }
  return map;
}

export function entityFromJson(json: unknown, path: string): EntityRecord {
  if (!isObject(json)) throw invalidJson(path, 'expected an entity object');
  if (json['uid'] === undefined) throw invalidJson(`${path}.uid`, 'missing');
  if (json['attrs'] === undefined) throw invalidJson(`${path}.attrs`, 'missing');
  if (json['parents'] === undefined) throw invalidJson(`${path}.parents`, 'missing');
  const parents = json['parents'];
  if (!Array.isArray(parents)) throw invalidJson(`${path}.parents`, 'expected a list of entity references');
  return {
    uid: entityUidFromJson(json['uid'], `${path}.uid`),
    attrs: valueMap(json['attrs'], `${path}.attrs`),
    tags: json['tags'] === undefined ? new Map() : valueMap(json['tags'], `${path}.tags`),
    parents: parents.map((parent: unknown, i) => entityUidFromJson(parent, `${path}.parents[${i}]`)),
  };
}

function sameEntity(a: EntityRecord, b: EntityRecord): boolean {
  const parentKeys = (record: EntityRecord): string => [...new Set(record.parents.map((p) => p.key))].sort().join('\n');
  return (
    valueKey(new RecordValue(a.attrs)) === valueKey(new RecordValue(b.attrs)) &&
    valueKey(new RecordValue(a.tags)) === valueKey(new RecordValue(b.tags)) &&
    parentKeys(a) === parentKeys(b)
  );
}

/** Converts an entity list; throws TENET_ERR_REQUEST_INVALID naming the path of the first problem. */
export function entitiesFromJson(json: unknown, path = 'entities'): EntityRecord[] {
  if (!Array.isArray(json)) throw invalidJson(path, 'expected a list of entities');
  const byUid = new Map<string, EntityRecord>();
  json.forEach((element: unknown, i) => {
    const record = entityFromJson(element, `${path}[${i}]`);
    const earlier = byUid.get(record.uid.key);
    if (earlier !== undefined && !sameEntity(earlier, record)) throw invalidJson(`${path}[${i}]`, `duplicate entity entry \`${record.uid.key}\``);
    byUid.set(record.uid.key, record);
  });
  return [...byUid.values()];
}

/** Converts an entity list into a graph, rejecting parent cycles as Cedar does. */
export function entityGraphFromJson(json: unknown, path = 'entities'): InMemoryEntityGraph {
  const graph = new InMemoryEntityGraph(entitiesFromJson(json, path));
  const onCycle = graph.entitiesOnCycles()[0];
  if (onCycle !== undefined) throw invalidJson(path, `the parent hierarchy has a cycle containing \`${onCycle.key}\``);
  return graph;
}
