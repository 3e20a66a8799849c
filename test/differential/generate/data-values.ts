// Random Cedar JSON values (entity attributes, tags, context) of a schema type, in the forms the
// Cedar JSON entity format allows: explicit `__entity`/`__extn` escapes, and with a schema the
// implicit forms too. With probability `wrong` a value of another type is produced instead.
import type { Prng } from './prng.js';
import { DATETIMES, DECIMALS, DURATIONS, IPS, LONG_DATA, STRINGS } from './pools.js';
import { resolve, type AttrModel, type TypeModel } from './schema-model.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Entity ids by fully qualified type name. */
export type Universe = ReadonlyMap<string, readonly string[]>;

export interface DataOptions {
  readonly rng: Prng;
  readonly universe: Universe;
  /** Implicit entity/extension forms are only meaningful when a schema is given. */
  readonly schemaGiven: boolean;
  /** Probability of a deliberately mistyped value at each node. */
  readonly wrong: number;
}

const EXT_FUNCTIONS = { ipaddr: ['ip', IPS], decimal: ['decimal', DECIMALS], datetime: ['datetime', DATETIMES], duration: ['duration', DURATIONS] } as const;

export function entityRef(options: DataOptions, type: string): Json {
  const ids = options.universe.get(type) ?? [];
  const id = ids.length === 0 || options.rng.chance(0.08) ? 'ghost' : options.rng.pick(ids);
  return options.schemaGiven && options.rng.chance(0.3) ? { type, id } : { __entity: { type, id } };
}

export function dataValue(options: DataOptions, declared: TypeModel, depth = 0): Json {
  const { rng } = options;
  if (rng.chance(options.wrong)) return anyValue(options, depth);
  const type = resolve(declared);
  switch (type.kind) {
    case 'Long':
      return rng.pick(LONG_DATA);
    case 'String':
      return rng.pick(STRINGS);
    case 'Bool':
      return rng.chance(0.5);
    case 'Entity':
      return entityRef(options, type.name);
    case 'Set': {
      const items: Json[] = [];
      for (let i = rng.int(4); i > 0; i--) items.push(dataValue(options, type.element, depth + 1));
      return items;
    }
    case 'Record':
      return recordValue(options, type.attrs, depth + 1);
    case 'Ext': {
      const [fn, pool] = EXT_FUNCTIONS[type.name];
      // Mostly valid arguments: the pools' malformed entries make the entity data invalid.
      const arg = rng.chance(0.97) ? pool[rng.int(6)] ?? pool[0] : rng.pick(pool);
      return options.schemaGiven && rng.chance(0.3) ? (arg ?? '') : { __extn: { fn, arg: arg ?? '' } };
    }
  }
}

export function recordValue(options: DataOptions, attrs: readonly AttrModel[], depth = 0): { [key: string]: Json } {
  const record: { [key: string]: Json } = {};
  for (const attr of attrs) {
    if (attr.required || options.rng.chance(0.6)) record[attr.name] = dataValue(options, attr.type, depth);
  }
  if (options.rng.chance(options.wrong)) delete record[options.rng.pick(attrs.map((a) => a.name).concat(['extra']))];
  if (options.rng.chance(options.wrong)) record.extra = 1;
  return record;
}

/** A value of a random type (schema-less data, or a deliberate mismatch). */
export function anyValue(options: DataOptions, depth = 0): Json {
  const { rng } = options;
  const kinds: TypeModel[] = [{ kind: 'Long' }, { kind: 'String' }, { kind: 'Bool' }, { kind: 'Ext', name: rng.pick(['ipaddr', 'decimal', 'datetime', 'duration'] as const) }];
  const entityTypes = [...options.universe.keys()];
  if (entityTypes.length > 0) kinds.push({ kind: 'Entity', name: rng.pick(entityTypes) });
  if (depth < 2) kinds.push({ kind: 'Set', element: rng.pick(kinds) }, { kind: 'Record', attrs: [{ name: rng.pick(['a', 'b', 'n']), type: rng.pick(kinds), required: true }] });
  return dataValue({ ...options, wrong: 0 }, rng.pick(kinds), depth + 1);
}
