// Random entity graphs in Cedar's entity JSON: a few entities per type (sometimes a wide fan-out),
// parents only towards later entities so the hierarchy is a DAG with deep chains where the schema
// allows `T in [T]`; rarely a deliberate cycle, which Cedar rejects as invalid entity data.
import { anyValue, dataValue, recordValue, type DataOptions, type Json, type Universe } from './data-values.js';
import { ENTITY_ID_EXTRAS } from './pools.js';
import type { Prng } from './prng.js';
import type { SchemaModel } from './schema-model.js';

export function randomUniverse(rng: Prng, schema: SchemaModel): Map<string, string[]> {
  const universe = new Map<string, string[]>();
  const wide = rng.chance(0.1);
  for (const type of schema.entityTypes) {
    if (type.enumIds !== undefined) {
      universe.set(type.name, [...type.enumIds]);
      continue;
    }
    const count = wide ? rng.range(4, 12) : rng.range(1, 4);
    const ids = Array.from({ length: count }, (_, i) => `${type.local.toLowerCase()}${i}`);
    if (rng.chance(0.1)) ids.push(rng.pick(ENTITY_ID_EXTRAS));
    universe.set(type.name, ids);
  }
  return universe;
}

export function randomEntities(rng: Prng, schema: SchemaModel, universe: Universe, options: DataOptions): Json[] {
  const order: { type: string; id: string }[] = [];
  for (const type of schema.entityTypes) {
    if (type.enumIds !== undefined) continue;
    for (const id of universe.get(type.name) ?? []) order.push({ type: type.name, id });
  }
  const position = new Map(order.map((uid, i) => [`${uid.type}\u0000${uid.id}`, i]));
  const byName = new Map(schema.entityTypes.map((t) => [t.name, t]));
  const entities: Json[] = [];
  // Rarely one edge back to an earlier entity: a cycle, or at least a parent the schema may not allow.
  const backEdgeAt = rng.chance(0.03) && order.length > 1 ? rng.range(1, order.length - 1) : -1;
  order.forEach((uid, index) => {
    const model = byName.get(uid.type);
    const parentTypes = options.schemaGiven ? (model?.memberOf ?? []) : [...universe.keys()];
    const candidates = order.filter((other) => parentTypes.includes(other.type) && (position.get(`${other.type}\u0000${other.id}`) ?? 0) > index);
    const parents: Json[] = (rng.chance(0.1) ? candidates : rng.some(candidates, 2)).map((p) => ({ type: p.type, id: p.id }));
    if (index === backEdgeAt) {
      const back = order[rng.int(index)]!;
      parents.push({ type: back.type, id: back.id });
    }
    const entity: { [key: string]: Json } = { uid: { type: uid.type, id: uid.id }, attrs: recordValue(options, model?.attrs ?? []), parents };
    const tagged = options.schemaGiven ? model?.tags !== undefined : rng.chance(0.2);
    if (tagged) {
      const tags: { [key: string]: Json } = {};
      for (const key of rng.some(['k', 'a', 'level'], 3)) tags[key] = model?.tags === undefined ? anyValue(options) : dataValue(options, model.tags);
      entity.tags = tags;
    }
    entities.push(entity);
  });
  if (!options.schemaGiven) {
    // Without a schema the action hierarchy is entity data like any other.
    for (const action of schema.actions)
      entities.push({ uid: { type: schema.actionType, id: action.id }, attrs: {}, parents: action.memberOf.map((id) => ({ type: schema.actionType, id })) });
  }
  return entities;
}
