// Loads the user's schema merged with Tenet's context schema (cedar/tenet-context.cedarschema),
// and reads the action hierarchy from it. Both formats end as Cedar's JSON schema, which is what
// the validator, the version hash and the action entities use.
import { checkParseSchema, schemaToJson, type SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { ErrorIssue } from '../../errors.js';
import { entityKey } from '../cedar/entity-key.js';
import { TENET_CONTEXT_SCHEMA } from '../cedar/tenet-context-schema.js';
import type { CedarEntity } from '../signals.js';
import type { EntityRef } from '../tuple.js';
import { issueFromCedarError } from './parse-policies.js';

export type SchemaSource = { readonly file: string; readonly text: string; readonly format: 'cedar' | 'json' };

const TENET_SCHEMA_FILE = 'tenet-context.cedarschema';

/**
 * Cedar text: the user's text first (so error offsets are the user's), then Tenet's. Both declare
 * into the empty namespace; a name declared twice is reported by Cedar as such. The common types
 * live in the empty namespace so any namespace can refer to them unqualified.
 */
function mergeCedarText(source: SchemaSource, issues: ErrorIssue[]): SchemaJson<string> | undefined {
  const merged = `${source.text}\n${TENET_CONTEXT_SCHEMA}`;
  const answer = schemaToJson(merged);
  if (answer.type === 'success') return answer.json;
  const userLength = source.text.length + 1;
  for (const error of answer.errors) {
    const start = error.sourceLocations?.[0]?.start;
    issues.push(start !== undefined && start >= userLength
      ? issueFromCedarError(TENET_SCHEMA_FILE, TENET_CONTEXT_SCHEMA, error, -userLength)
      : issueFromCedarError(source.file, source.text, error));
  }
  return undefined;
}

function tenetSchemaJson(): SchemaJson<string> {
  const answer = schemaToJson(TENET_CONTEXT_SCHEMA);
  if (answer.type === 'failure') throw new Error(`INVARIANT violated: Tenet's context schema does not parse: ${answer.errors[0]?.message ?? ''}`);
  return answer.json;
}

/** JSON: Tenet's common types are added to the user's empty namespace; a name the user already declares is an error. */
function mergeJson(source: SchemaSource, issues: ErrorIssue[]): SchemaJson<string> | undefined {
  let user: SchemaJson<string>;
  try {
    user = JSON.parse(source.text) as SchemaJson<string>;
  } catch (error) {
    issues.push({ path: source.file, message: `not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
  if (typeof user !== 'object' || user === null || Array.isArray(user)) {
    issues.push({ path: source.file, message: 'a JSON schema must be an object of namespaces' });
    return undefined;
  }
  const tenetTypes = tenetSchemaJson()['']?.commonTypes ?? {};
  const root = user[''] ?? { entityTypes: {}, actions: {} };
  const commonTypes = { ...(root.commonTypes ?? {}) };
  for (const [name, type] of Object.entries(tenetTypes)) {
    if (name in commonTypes) issues.push({ path: `${source.file}: commonTypes.${name}`, message: `"${name}" is declared by Tenet's context schema`, hint: 'rename your type' });
    commonTypes[name] = type;
  }
  const merged: SchemaJson<string> = { ...user, '': { ...root, commonTypes } };
  const check = checkParseSchema(merged);
  if (check.type === 'failure') {
    for (const error of check.errors) issues.push({ path: source.file, message: error.message });
    return undefined;
  }
  return merged;
}

/** The merged schema as Cedar JSON, or undefined after adding issues. */
export function loadSchema(source: SchemaSource, issues: ErrorIssue[]): SchemaJson<string> | undefined {
  return source.format === 'cedar' ? mergeCedarText(source, issues) : mergeJson(source, issues);
}

/** The schema's action entities with their `memberOf` groups as parents (action groups, as Cedar builds them from a schema). */
export function actionEntities(schema: SchemaJson<string>): Map<string, CedarEntity> {
  const actions = new Map<string, CedarEntity>();
  const actionType = (namespace: string): string => (namespace === '' ? 'Action' : `${namespace}::Action`);
  for (const [namespace, definition] of Object.entries(schema)) {
    for (const [name, action] of Object.entries(definition.actions ?? {})) {
      const parents: EntityRef[] = (action.memberOf ?? []).map((group) => {
        if (group.type !== undefined && (group.type.includes('::') || namespace === '')) return { type: group.type, id: group.id };
        // An unqualified group resolves in the action's own namespace first, then in the empty
        // namespace (Cedar's name resolution; checked against cedar-wasm).
        const local = group.type === undefined ? actionType(namespace) : `${namespace}::${group.type}`;
        const global = group.type ?? 'Action';
        const declaredLocally = local === actionType(namespace) && schema[namespace]?.actions?.[group.id] !== undefined;
        const declaredGlobally = global === 'Action' && schema['']?.actions?.[group.id] !== undefined;
        return { type: !declaredLocally && declaredGlobally ? global : local, id: group.id };
      });
      const uid = { type: actionType(namespace), id: name };
      actions.set(entityKey(uid), { uid, attrs: {}, parents });
    }
  }
  return actions;
}
