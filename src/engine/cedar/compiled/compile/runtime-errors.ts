// Constructors for the evaluation errors compiled expressions raise. Cedar reports type errors,
// missing attributes/tags/entities and overflow as evaluation errors: the policy is skipped and
// named in the response's errors (https://docs.cedarpolicy.com/auth/authorization.html).
// Messages follow cedar-wasm's wording where practical; only the erroring policy id is compared.
import { CedarEvaluationError, EntityUid, RecordValue, SetValue, type Value } from '../value.js';

/** Cedar's name for a value's runtime type, as used in its error messages. */
export function typeNameOf(value: Value): string {
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

export function typeError(expected: string, got: Value): CedarEvaluationError {
  return new CedarEvaluationError(`type error: expected ${expected}, got ${typeNameOf(got)}`);
}

export function overflowError(operation: string, operands: readonly bigint[]): CedarEvaluationError {
  return new CedarEvaluationError(`integer overflow while attempting to ${operation} the value${operands.length > 1 ? 's' : ''} ${operands.map((o) => `\`${o}\``).join(' and ')}`);
}

export function missingEntityError(uid: EntityUid): CedarEvaluationError {
  return new CedarEvaluationError(`entity \`${uid.key}\` does not exist`);
}
