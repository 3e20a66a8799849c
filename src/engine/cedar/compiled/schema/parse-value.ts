// Cedar's JSON value parsing, schema-based and schema-less, producing value.ts Values. This is the
// *parse* phase only (Cedar's `ValueParser::val_into_restricted_expr`): it follows the expected
// type's shape (sets must be arrays, records must have exactly their declared attributes, entity
// and extension escapes may be implicit) but does not check leaf types — typecheck.ts does that,
// as Cedar's conformance checker does after parsing.
// https://docs.cedarpolicy.com/auth/entities-syntax.html#entities-syntax-attrs
import { TenetError } from '../../../../errors.js';
import { EXTENSION_FUNCTIONS } from '../extensions/index.js';
import { CedarEvaluationError, EntityUid, LONG_MAX, LONG_MIN, RecordValue, SetValue, type Value } from '../value.js';
import type { ExtensionTypeName, SchemaType } from './types.js';

/** Entity or context JSON that Cedar would reject. `path` names the offending JSON value. */
export function nonConforming(path: string, message: string): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', `${path}: ${message}`, [{ path, message }]);
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(json: unknown): json is JsonObject {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

// Cedar identifiers: reserved words cannot be a path segment, and `__cedar` is reserved anywhere.
const IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has', '__cedar']);

/** Is `name` a normalized Cedar entity type name (`A::B`, no whitespace, no reserved segment)? */
export function isValidTypeName(name: string): boolean {
  return name.split('::').every((segment) => IDENTIFIER.test(segment) && !RESERVED.has(segment));
}

/** The `{"type": .., "id": ..}` of an entity reference, or undefined when `json` is not of that shape (extra keys are ignored, as serde does). */
function typeAndId(json: unknown): { type: string; id: string } | undefined {
  if (!isObject(json)) return undefined;
  const { type, id } = json;
  return typeof type === 'string' && typeof id === 'string' ? { type, id } : undefined;
}

function uidOf(ref: { type: string; id: string }, path: string): EntityUid {
  if (!isValidTypeName(ref.type)) throw nonConforming(path, `\`${ref.type}\` is not a valid entity type name`);
  return EntityUid.of(ref.type, ref.id);
}

/** `{"__extn": {"fn": .., "arg": ..}}` contents (or the `args` form): undefined when not of that shape. */
function fnAndArgs(json: unknown): { fn: string; args: readonly unknown[] } | undefined {
  if (!isObject(json) || typeof json['fn'] !== 'string') return undefined;
  if ('arg' in json) return { fn: json['fn'], args: [json['arg']] };
  if (Array.isArray(json['args'])) return { fn: json['fn'], args: json['args'] };
  return undefined;
}

function rejectPartialEvaluation(json: JsonObject, path: string): void {
  // Cedar accepts `{"__extn": {"fn": "unknown", "arg": name}}` anywhere, for partial evaluation;
  // a concrete evaluator has no value for it.
  const extn = fnAndArgs(json['__extn']);
  if (extn?.fn === 'unknown') throw nonConforming(path, '`unknown(..)` values are only for partial evaluation, which Tenet does not do');
}

/** Applies an extension function (any of them: Cedar evaluates `__extn` as a restricted expression). */
function callExtension(fn: string, args: readonly unknown[], path: string): Value {
  const apply = EXTENSION_FUNCTIONS.get(fn);
  if (apply === undefined) throw nonConforming(path, `extension function \`${fn}\` does not exist`);
  const values = args.map((arg, i) => parseSchemalessValue(arg, args.length === 1 ? path : `${path}[${i}]`));
  try {
    return apply(values);
  } catch (error) {
    if (error instanceof CedarEvaluationError) throw nonConforming(path, error.message);
    throw error;
  }
}

/**
 * A JSON number or bigint as a Long. A JS number is read the way cedar-wasm reads it — through its
 * JSON text — so `2**62` (printed `4611686018427388000`) is that integer, and `-(2**63)` (printed
 * `-9223372036854776000`, below i64) and `1e21` are rejected, exactly as cedar-wasm does.
 */
export function parseLong(json: number | bigint, path: string): bigint {
  let value: bigint;
  if (typeof json === 'bigint') value = json;
  else {
    const text = JSON.stringify(json);
    if (!/^-?\d+$/.test(text)) throw nonConforming(path, `${text} is not an integer (Cedar Long)`);
    value = BigInt(text);
  }
  if (value < LONG_MIN || value > LONG_MAX) throw nonConforming(path, `${value} is outside the signed 64-bit range of a Cedar Long`);
  return value;
}

/**
 * Cedar's schema-less value JSON (`CedarValueJson`): `__entity` and `__extn` escapes are explicit;
 * an object whose escape key does not hold an escape of the right shape is an ordinary record.
 */
export function parseSchemalessValue(json: unknown, path: string): Value {
  switch (typeof json) {
    case 'boolean':
    case 'string':
      return json;
    case 'number':
    case 'bigint':
      return parseLong(json, path);
    case 'object':
      break;
    default:
      throw nonConforming(path, `a ${typeof json} is not a Cedar value`);
  }
  if (json === null) throw nonConforming(path, 'JSON `null` is not allowed in Cedar');
  if (Array.isArray(json)) return new SetValue(json.map((element, i) => parseSchemalessValue(element, `${path}[${i}]`)));
  const record = json as JsonObject;
  rejectPartialEvaluation(record, path);
  const entity = typeAndId(record['__entity']);
  if (entity !== undefined) return uidOf(entity, path);
  const extn = fnAndArgs(record['__extn']);
  if (extn !== undefined) return callExtension(extn.fn, extn.args, path);
  if (typeof record['__expr'] === 'string') throw nonConforming(path, 'the `__expr` escape is no longer supported');
  const fields = new Map<string, Value>();
  for (const [key, field] of Object.entries(record)) fields.set(key, parseSchemalessValue(field, `${path}.${key}`));
  return new RecordValue(fields);
}

/** An entity reference where one is expected: `{"__entity": {type, id}}` or just `{type, id}`. */
export function parseEntityUidJson(json: unknown, path: string): EntityUid {
  if (isObject(json)) {
    if (typeof json['__expr'] === 'string') throw nonConforming(path, 'the `__expr` escape is no longer supported');
    const ref = typeAndId(json['__entity']) ?? typeAndId(json);
    if (ref !== undefined) return uidOf(ref, path);
  }
  throw nonConforming(path, `expected a literal entity reference, got ${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
}

const IMPLICIT_CONSTRUCTOR: Readonly<Record<ExtensionTypeName, string>> = { ipaddr: 'ip', decimal: 'decimal', datetime: 'datetime', duration: 'duration' };

/**
 * An extension value where one of type `name` is expected. Cedar accepts, in this order: the
 * explicit `{"__extn": {"fn", "arg"}}`, the same without `__extn` (`{"fn", "arg"}`), and any other
 * value as the argument of the type's constructor — so `"10.0.0.1"` for an `ipaddr`.
 */
function parseExtensionValue(json: unknown, name: ExtensionTypeName, path: string): Value {
  if (isObject(json)) {
    rejectPartialEvaluation(json, path);
    if (typeof json['__expr'] === 'string') throw nonConforming(path, 'the `__expr` escape is no longer supported');
    const call = fnAndArgs(json['__extn']) ?? fnAndArgs(json);
    if (call !== undefined) return callExtension(call.fn, call.args, path);
  }
  return callExtension(IMPLICIT_CONSTRUCTOR[name], [json], path);
}

/**
 * Parses `json` as a value expected to have `type` (Cedar's schema-based parsing). Only the shape is
 * enforced here; call `checkValue` (typecheck.ts) for the conformance check.
 */
export function parseTypedValue(json: unknown, type: SchemaType, path: string): Value {
  if (isObject(json)) rejectPartialEvaluation(json, path);
  switch (type.kind) {
    case 'Entity':
      return parseEntityUidJson(json, path);
    case 'Extension':
      return parseExtensionValue(json, type.name, path);
    case 'Set':
      if (!Array.isArray(json)) throw nonConforming(path, 'expected a set (JSON array)');
      return new SetValue(json.map((element, i) => parseTypedValue(element, type.element, `${path}[${i}]`)));
    case 'Record': {
      if (!isObject(json)) throw nonConforming(path, 'expected a record (JSON object)');
      return parseRecordAttributes(json, type.attributes, path);
    }
    default:
      return parseSchemalessValue(json, path);
  }
}

/** The attributes of a closed record type: required ones must be present, undeclared ones are errors. */
export function parseRecordAttributes(json: JsonObject, attributes: ReadonlyMap<string, { readonly type: SchemaType; readonly required: boolean }>, path: string): RecordValue {
  const fields = new Map<string, Value>();
  for (const [name, attribute] of attributes) {
    if (Object.hasOwn(json, name)) fields.set(name, parseTypedValue(json[name], attribute.type, `${path}.${name}`));
    else if (attribute.required) throw nonConforming(path, `expected the record to have an attribute \`${name}\`, but it does not`);
  }
  for (const name of Object.keys(json)) {
    if (!attributes.has(name)) throw nonConforming(`${path}.${name}`, `attribute \`${name}\` should not exist according to the schema`);
  }
  return new RecordValue(fields);
}
