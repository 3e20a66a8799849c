// Extension function calls (`ip("10.0.0.1")`, `a.isInRange(b)`, …): looked up once at compile
// time in the extensions registry; a method's receiver is the first argument.
import { TenetError } from '../../../../errors.js';
import { EXTENSION_FUNCTIONS, type ExtensionFunction } from '../extensions/index.js';

/** Throws TENET_ERR_POLICY_UNKNOWN_FUNCTION: Cedar rejects a call to an unknown function when it parses the policy. */
export function extensionFunction(name: string, where: string): ExtensionFunction {
  const fn = EXTENSION_FUNCTIONS.get(name);
  if (fn === undefined) {
    throw new TenetError('TENET_ERR_POLICY_UNKNOWN_FUNCTION', `${where}: \`${name}\` is not a Cedar extension function`, [{ path: where, message: `unknown function \`${name}\`` }]);
  }
  return fn;
}
