// Constructors for the evaluation errors compiled expressions raise. Cedar reports type errors,
// missing attributes/tags/entities and overflow as evaluation errors: the policy is skipped and
// named in the response's errors (https://docs.cedarpolicy.com/auth/authorization.html).
// Messages follow cedar-wasm's wording where practical; only the erroring policy id is compared.
import { CedarEvaluationError, valueTypeName, type EntityUid, type Value } from '../value.js';

/** Cedar's name for a value's runtime type, as used in its error messages. */
export const typeNameOf = valueTypeName;

export function typeError(expected: string, got: Value): CedarEvaluationError {
  return new CedarEvaluationError(`type error: expected ${expected}, got ${typeNameOf(got)}`);
}

export function overflowError(operation: string, operands: readonly bigint[]): CedarEvaluationError {
  return new CedarEvaluationError(`integer overflow while attempting to ${operation} the value${operands.length > 1 ? 's' : ''} ${operands.map((o) => `\`${o}\``).join(' and ')}`);
}

export function missingEntityError(uid: EntityUid): CedarEvaluationError {
  return new CedarEvaluationError(`entity \`${uid.key}\` does not exist`);
}
