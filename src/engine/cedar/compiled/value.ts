// Runtime values of the compiled evaluator. Long is `bigint` so that 64-bit overflow is checked
// exactly (Cedar: overflow is an evaluation error, never a wrap); entity uids are interned so `==`
// on entities is a pointer comparison on the hot path.

export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;

/** Raised while evaluating one policy; the authorizer skips that policy and reports its id. */
export class CedarEvaluationError extends Error {
  override readonly name = 'CedarEvaluationError';
}

export class EntityUid {
  /** `Type::"id"` with the id JSON-escaped: unique per (type, id), usable as a map key. */
  readonly key: string;
  private constructor(
    readonly type: string,
    readonly id: string,
  ) {
    this.key = `${type}::${JSON.stringify(id)}`;
  }

  private static readonly interned = new Map<string, EntityUid>();

  /** The one EntityUid for this (type, id). The table only grows; entity ids are bounded by the data. */
  static of(type: string, id: string): EntityUid {
    const key = `${type}::${JSON.stringify(id)}`;
    let uid = EntityUid.interned.get(key);
    if (uid === undefined) {
      uid = new EntityUid(type, id);
      EntityUid.interned.set(key, uid);
    }
    return uid;
  }
}

/** A Cedar extension value (ipaddr, decimal, datetime, duration): implemented in extensions/. */
export interface ExtensionValue {
  readonly extension: 'ipaddr' | 'decimal' | 'datetime' | 'duration';
  /** Canonical key: equal values (Cedar `==`) have equal keys, unequal values different keys. */
  readonly key: string;
  /** For types that support `<`, `<=`, `>`, `>=` in Cedar 4.x (datetime, duration): negative, 0, positive. */
  compare?(other: ExtensionValue): number;
}

export class SetValue {
  /** Distinct elements (by valueKey), in first-seen order. */
  readonly items: readonly Value[];
  private readonly keys: ReadonlySet<string>;

  constructor(elements: Iterable<Value>) {
    const items: Value[] = [];
    const keys = new Set<string>();
    for (const element of elements) {
      const key = valueKey(element);
      if (!keys.has(key)) {
        keys.add(key);
        items.push(element);
      }
    }
    this.items = items;
    this.keys = keys;
  }

  has(value: Value): boolean {
    return this.keys.has(valueKey(value));
  }

  get size(): number {
    return this.items.length;
  }
}

export class RecordValue {
  constructor(readonly fields: ReadonlyMap<string, Value>) {}
}

export type Value = boolean | bigint | string | EntityUid | SetValue | RecordValue | ExtensionValue;

/**
 * A canonical string per value such that `valueKey(a) === valueKey(b)` iff Cedar's `a == b`
 * (sets and records compare structurally, set order and duplicates ignored).
 */
export function valueKey(value: Value): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'b:1' : 'b:0';
    case 'bigint':
      return `l:${value}`;
    case 'string':
      return `s:${value}`;
    default:
      break;
  }
  if (value instanceof EntityUid) return `e:${value.key}`;
  if (value instanceof SetValue) return `[${value.items.map(valueKey).sort().join(',')}]`;
  if (value instanceof RecordValue) {
    return `{${[...value.fields.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, field]) => `${JSON.stringify(name)}:${valueKey(field)}`)
      .join(',')}}`;
  }
  return `x:${value.extension}:${value.key}`;
}

/** Cedar's name for a value's runtime type, as its error messages use it (`long`, `set`, `ipaddr`…). */
export function valueTypeName(value: Value): string {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    default:
      break;
  }
  if (value instanceof EntityUid) return `(entity of type \`${value.type}\`)`;
  if (value instanceof SetValue) return 'set';
  if (value instanceof RecordValue) return 'record';
  return value.extension;
}

export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof EntityUid || b instanceof EntityUid) return false; // interned: identity already checked
  return valueKey(a) === valueKey(b);
}

/** What the evaluator reads about an entity. Ancestors are precomputed (transitive, by uid key). */
export interface EntityData {
  readonly uid: EntityUid;
  readonly attrs: ReadonlyMap<string, Value>;
  readonly tags: ReadonlyMap<string, Value>;
  /**
   * INVARIANT: a set once handed out is never mutated; when the entity's ancestors change, the
   * graph hands out a new set (the scope index caches what it found per set, compile/scope-index.ts).
   */
  readonly ancestors: ReadonlySet<string>;
}

/** The entity graph a request is evaluated against. */
export interface EntityGraph {
  get(uid: EntityUid): EntityData | undefined;
}
