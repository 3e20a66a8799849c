// Request context JSON → a RecordValue, converting each object-valued field once. The engine hands
// the evaluator, for one request, contexts that share most of their fields by identity: step-up's
// re-evaluations reuse the actual evaluation's device, network, request and caller parts
// (cedar/context.ts), so only `risk` and `authn` are converted again. The cache is keyed by object
// identity (a WeakMap, so it holds nothing alive) and assumes, as the engine's readonly types
// promise, that a context value is not mutated after it was handed to an evaluator.
//
// Answers exactly as contextFromJson (json/cedar-value-json.ts): a context that could be read as
// an escape (a single `__entity`, `__extn` or `__expr` key) or is not an object goes through
// contextFromJson itself; otherwise it is a record whose fields convert with valueFromJson under
// the same paths, in the same order, and failures are never cached.
import { contextFromJson, valueFromJson } from './json/index.js';
import { RecordValue, type Value } from './value.js';

const converted = new WeakMap<object, Value>();

function mayBeEscape(json: object): boolean {
  let only: string | undefined;
  let count = 0;
  for (const key in json) {
    if (!Object.prototype.hasOwnProperty.call(json, key)) continue;
    if (++count > 1) return false;
    only = key;
  }
  return only === '__entity' || only === '__extn' || only === '__expr';
}

export function cachedContextFromJson(json: unknown, path = 'context'): RecordValue {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || mayBeEscape(json)) return contextFromJson(json, path);
  const record = json as Readonly<Record<string, unknown>>;
  const fields = new Map<string, Value>();
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const field = record[key];
    if (typeof field === 'object' && field !== null) {
      let value = converted.get(field);
      if (value === undefined) {
        value = valueFromJson(field, `${path}.${key}`);
        converted.set(field, value);
      }
      fields.set(key, value);
    } else {
      fields.set(key, valueFromJson(field, `${path}.${key}`));
    }
  }
  return new RecordValue(fields);
}
