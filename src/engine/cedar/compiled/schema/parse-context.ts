// A request's context JSON parsed against the action's declared context type. Two depths, as in
// cedar-wasm: parsing alone (what `isAuthorized` does with a schema but `validateRequest: false`)
// enforces only the record shapes — required attributes present, no undeclared ones, sets given as
// arrays, entity and extension values well formed; validation (`checkParseContext`, and
// `isAuthorized` with `validateRequest: true`) also checks every value's type and enum ids.
// https://docs.cedarpolicy.com/auth/authorization.html#request-context
import type { EntityUid, RecordValue } from '../value.js';
import { nonConforming, parseRecordAttributes } from './parse-value.js';
import { checkValue } from './typecheck.js';
import type { CedarSchema } from './types.js';

export interface ContextParseOptions {
  /** Check value types too (default true: Cedar's `checkParseContext` / `validateRequest: true`). */
  readonly validate?: boolean;
}

/**
 * Parses `json` as the context of `action`. Throws TENET_ERR_REQUEST_INVALID naming the JSON path
 * (`context.…`) of the first problem, or when the schema does not declare `action`.
 */
export function parseContextWithSchema(json: unknown, schema: CedarSchema, action: EntityUid, options: ContextParseOptions = {}): RecordValue {
  const declared = schema.actions.get(action.key);
  if (declared === undefined) throw nonConforming('action', `action \`${action.key}\` does not exist in the supplied schema`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw nonConforming('context', 'expected a record (JSON object)');
  const context = parseRecordAttributes(json as Readonly<Record<string, unknown>>, declared.context.attributes, 'context');
  if (options.validate !== false) checkValue(context, declared.context, schema, 'context');
  return context;
}
