// Converts request-time values (AuthZEN `properties` and `context`) to Cedar's JSON value format,
// rejecting what Cedar cannot represent so a malformed request is an explicit `invalid-request`
// rather than an evaluator failure.
import { TenetError } from '../../errors.js';
import type { CedarJsonValue } from '../signals.js';

function invalid(path: string, message: string): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', `${path}: ${message}`, [{ path, message }]);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Throws TENET_ERR_REQUEST_INVALID naming `path` when the value has no Cedar representation. */
export function toCedarValue(value: unknown, path: string): CedarJsonValue {
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      // Cedar has only 64-bit integers (Long); a fraction would be rejected by the evaluator.
      if (!Number.isSafeInteger(value)) throw invalid(path, 'numbers must be integers (Cedar Long)');
      return value;
    case 'object': {
      if (value === null) throw invalid(path, 'null has no Cedar value');
      if (Array.isArray(value)) return value.map((item, i) => toCedarValue(item, `${path}[${i}]`));
      if (!isPlainObject(value)) throw invalid(path, 'only plain records are allowed');
      const record: Record<string, CedarJsonValue> = {};
      for (const [key, item] of Object.entries(value)) record[key] = toCedarValue(item, `${path}.${key}`);
      return record;
    }
    default:
      throw invalid(path, `a ${typeof value} has no Cedar value`);
  }
}

/** Converts a record of attributes (each key a Cedar attribute). */
export function toCedarRecord(values: Readonly<Record<string, unknown>>, path: string): Record<string, CedarJsonValue> {
  const record: Record<string, CedarJsonValue> = {};
  for (const [key, item] of Object.entries(values)) record[key] = toCedarValue(item, `${path}.${key}`);
  return record;
}
