// Schema-less Cedar value JSON → runtime values, with Cedar's exact reading rules
// (cedar-policy-core entities/json/value.rs, `RawCedarValueJson` → `CedarValueJson`; every rule
// below was checked against cedar-wasm 4.13):
//   - an object is an escape only when it has exactly one key:
//       `{"__entity": {"type": t, "id": i, …}}` (t and i strings; extra inner keys ignored) → entity;
//       `{"__extn": {"fn": f, "arg": a}}` or `{"__extn": {"fn": f, "args": [..]}}` → the extension
//         function f applied to the converted arguments (any function, methods included);
//       `{"__expr": "…"}` → error (the escape was removed in Cedar 3);
//     an escape key whose contents are not of that shape, or sitting beside other keys, is an
//     ordinary record attribute;
//   - without a schema, `{"type": t, "id": i}` is a record, not an entity;
//   - integers must fit a signed 64-bit Long; fractions, `null` are errors;
//   - arrays are sets (duplicates collapse); a repeated record key is an error (exact-json.ts).
// https://docs.cedarpolicy.com/auth/entities-syntax.html
import { TenetError } from '../../../../errors.js';
import { EXTENSION_FUNCTIONS } from '../extensions/index.js';
import { CedarEvaluationError, EntityUid, LONG_MAX, LONG_MIN, RecordValue, SetValue, type Value } from '../value.js';
import { isEntityTypeName } from './entity-type-name.js';

export function invalidJson(path: string, message: string): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', `${path}: ${message}`, [{ path, message }]);
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(json: unknown): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

/**
 * An integer as a Long. A bigint (from parseJsonExact) is exact. A JS number is read as cedar-wasm
 * reads one — through its JSON text — so 2**62 (printed 4611686018427388000) is that integer and
 * 1e21 is not an integer; pass JSON text through parseJsonExact to keep large integers exact.
 */
export function longFromJson(json: number | bigint, path: string): bigint {
  let value: bigint;
  if (typeof json === 'bigint') {
    value = json;
  } else {
    const text = String(json);
    if (!/^-?[0-9]+$/.test(text)) throw invalidJson(path, `${text} is not an integer (Cedar has only 64-bit integers)`);
    value = BigInt(text);
  }
  if (value < LONG_MIN || value > LONG_MAX) throw invalidJson(path, `${value} does not fit in a signed 64-bit integer (Cedar Long)`);
  return value;
}

export function entityUidOf(type: string, id: string, path: string): EntityUid {
  if (!isEntityTypeName(type)) throw invalidJson(path, `${JSON.stringify(type)} is not a valid entity type name`);
  return EntityUid.of(type, id);
}

/** The only key of `json`, or undefined when it has zero or several. */
function soleKey(json: JsonObject): string | undefined {
  let found: string | undefined;
  for (const key in json) {
    if (!Object.prototype.hasOwnProperty.call(json, key)) continue;
    if (found !== undefined) return undefined;
    found = key;
  }
  return found;
}

function applyExtension(fn: string, args: readonly unknown[], path: string): Value {
  const apply = EXTENSION_FUNCTIONS.get(fn);
  if (apply === undefined) throw invalidJson(path, `extension function \`${fn}\` does not exist`);
  const values = args.map((arg, i) => valueFromJson(arg, args.length === 1 ? `${path}.__extn.arg` : `${path}.__extn.args[${i}]`));
  try {
    return apply(values);
  } catch (error) {
    if (error instanceof CedarEvaluationError) throw invalidJson(path, error.message);
    throw error;
  }
}

/** The escape `json` spells, or undefined when it is an ordinary record. */
function escaped(json: JsonObject, path: string): Value | undefined {
  const key = soleKey(json);
  if (key === '__entity') {
    const inner = json[key];
    if (isObject(inner) && typeof inner['type'] === 'string' && typeof inner['id'] === 'string') return entityUidOf(inner['type'], inner['id'], `${path}.__entity`);
  } else if (key === '__extn') {
    const inner = json[key];
    if (isObject(inner) && typeof inner['fn'] === 'string') {
      if ('arg' in inner) return applyExtension(inner['fn'], [inner['arg']], path);
      if (Array.isArray(inner['args'])) return applyExtension(inner['fn'], inner['args'], path);
    }
  } else if (key === '__expr' && typeof json[key] === 'string') {
    throw invalidJson(path, 'the `__expr` escape is no longer supported; use `__entity` or `__extn`');
  }
  return undefined;
}

/** Converts one schema-less Cedar JSON value. Throws TENET_ERR_REQUEST_INVALID naming `path`. */
export function valueFromJson(json: unknown, path: string): Value {
  switch (typeof json) {
    case 'boolean':
    case 'string':
      return json;
    case 'bigint':
    case 'number':
      return longFromJson(json, path);
    case 'object':
      break;
    default:
      throw invalidJson(path, `a ${typeof json} has no Cedar value`);
  }
  if (json === null) throw invalidJson(path, 'JSON `null` is not allowed in Cedar');
  if (Array.isArray(json)) return new SetValue(json.map((item: unknown, i) => valueFromJson(item, `${path}[${i}]`)));
  const record = json as JsonObject;
  const escape = escaped(record, path);
  if (escape !== undefined) return escape;
  return recordFromJson(record, path);
}

function recordFromJson(json: JsonObject, path: string): RecordValue {
  const fields = new Map<string, Value>();
  for (const key in json) {
    if (Object.prototype.hasOwnProperty.call(json, key)) fields.set(key, valueFromJson(json[key], `${path}.${key}`));
  }
  return new RecordValue(fields);
}

/** Request context JSON: it must read as a record (an object that is not an entity or extension escape). */
export function contextFromJson(json: unknown, path = 'context'): RecordValue {
  const value = valueFromJson(json, path);
  if (!(value instanceof RecordValue)) throw invalidJson(path, 'the context must be a record (a JSON object)');
  return value;
}

/** An entity reference where only one can be (an entity's uid or parents, a request's principal…): `{type, id}` or `{"__entity": {type, id}}`. */
export function entityUidFromJson(json: unknown, path: string): EntityUid {
  if (isObject(json)) {
    if (typeof json['__expr'] === 'string') throw invalidJson(path, 'the `__expr` escape is no longer supported');
    const inner = json['__entity'];
    if (isObject(inner) && typeof inner['type'] === 'string' && typeof inner['id'] === 'string') return entityUidOf(inner['type'], inner['id'], path);
    if (typeof json['type'] === 'string' && typeof json['id'] === 'string') return entityUidOf(json['type'], json['id'], path);
  }
  throw invalidJson(path, 'expected an entity reference: {"type": …, "id": …} or {"__entity": {"type": …, "id": …}}');
}
