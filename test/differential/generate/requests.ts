// Random authorization requests for a case: mostly well-typed for their action, with a share that
// names an action group, a principal or resource of a type the action does not apply to, an
// unknown enum id, or a context that does not match the action's declared context.
import { recordValue, type DataOptions, type Json, type Universe } from './data-values.js';
import type { Prng } from './prng.js';
import type { SchemaModel } from './schema-model.js';

export function randomRequests(rng: Prng, schema: SchemaModel, universe: Universe, options: DataOptions): Json[] {
  const count = rng.range(1, 3);
  const requests: Json[] = [];
  const allTypes = [...universe.keys()];
  for (let i = 0; i < count; i++) {
    const applicable = schema.actions.filter((a) => a.appliesTo !== undefined);
    const action = rng.chance(0.92) && applicable.length > 0 ? rng.pick(applicable) : rng.pick(schema.actions);
    const pick = (types: readonly string[] | undefined): Json => {
      const type = types !== undefined && types.length > 0 && rng.chance(0.93) ? rng.pick(types) : rng.pick(allTypes);
      const ids = universe.get(type) ?? [];
      const id = ids.length === 0 || rng.chance(0.07) ? 'ghost' : rng.pick(ids);
      return rng.chance(0.05) ? { __entity: { type, id } } : { type, id };
    };
    const request: { [key: string]: Json } = {
      principal: pick(action.appliesTo?.principals),
      action: { type: schema.actionType, id: rng.chance(0.02) ? 'unknown' : action.id },
      resource: pick(action.appliesTo?.resources),
      context: recordValue({ ...options, wrong: options.wrong * 1.5 }, action.appliesTo?.context ?? []),
    };
    if (rng.chance(0.7)) request.validateRequest = rng.chance(0.5);
    requests.push(request);
  }
  return requests;
}
