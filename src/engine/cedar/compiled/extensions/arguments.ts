// Argument checks shared by every extension function: arity, the constructor's string argument,
// the receiver's extension type, and the signed 64-bit range Cedar stores every quantity in.
// Each failure is a CedarEvaluationError, which the authorizer reports against the policy.
import { CedarEvaluationError, LONG_MAX, LONG_MIN, valueTypeName, type ExtensionValue, type Value } from '../value.js';

/** Cedar's type name of a runtime value, for error messages (`long`, `string`, `ipaddr`…). */
export const typeName = valueTypeName;

/** Throws unless exactly `count` arguments were passed (methods count their receiver). */
export function expectArity(fn: string, args: readonly Value[], count: number): void {
  if (args.length !== count) {
    throw new CedarEvaluationError(`wrong number of arguments in extension function application: \`${fn}\` expects ${count}, got ${args.length}`);
  }
}

/** The string argument of a constructor such as `ip("10.0.0.1")`. */
export function expectString(fn: string, value: Value | undefined): string {
  if (typeof value !== 'string') {
    throw new CedarEvaluationError(`type error: \`${fn}\` expects a string, got ${value === undefined ? 'nothing' : typeName(value)}`);
  }
  return value;
}

/**
 * `value` if `is` accepts it, else a type error. A plain string gets Cedar's advice, since
 * `"10.0.0.1".isIpv4()` almost always means a forgotten constructor.
 */
export function expectExtension<T extends ExtensionValue>(
  value: Value | undefined,
  is: (value: Value) => value is T,
  extension: T['extension'],
  constructorName: string,
): T {
  if (value !== undefined && is(value)) return value;
  const got = value === undefined ? 'nothing' : typeName(value);
  const advice = typeof value === 'string' ? ` (maybe you forgot to apply the \`${constructorName}\` constructor?)` : '';
  throw new CedarEvaluationError(`type error: expected ${extension}, got ${got}${advice}`);
}

/** Whether `value` fits Cedar's signed 64-bit integer; outside it, Cedar reports an overflow error. */
export function fitsLong(value: bigint): boolean {
  return value >= LONG_MIN && value <= LONG_MAX;
}
