// Cedar's request validation (`isAuthorized` with `validateRequest: true`): the action is declared,
// the principal's and resource's types are declared and listed in the action's `appliesTo` (an
// action without `appliesTo` applies to nothing), enumerated ids are valid, and the context has
// exactly the action's context type (closed records: no undeclared attributes, at any depth).
// https://docs.cedarpolicy.com/auth/authorization.html
//
// What cedar-wasm 4.13 answers for an invalid request: `isAuthorized` returns
// `{type: "failure", errors: [{message, help, …}], warnings: []}` — no decision at all. (The same
// failure answer comes when the entities or the context do not parse against the schema, even with
// `validateRequest: false`.) A batch CLI mirroring it should print, for such a request, a line like
//   {"decision": null, "failure": true, "errors": ["<message>", …]}
// i.e. "failure" rather than "deny", with the messages; the harness compares failure-vs-decision,
// never the message text, since ours word the problem differently. A Tenet PEP turns it into deny.
import type { ErrorIssue } from '../../../../errors.js';
import { isTenetError } from '../../../../errors.js';
import type { EntityUid } from '../value.js';
import { parseContextWithSchema } from './parse-context.js';
import type { CedarSchema } from './types.js';

export interface RequestToValidate {
  readonly principal: EntityUid;
  readonly action: EntityUid;
  readonly resource: EntityUid;
  /** The context as JSON (it is parsed against the action's context type). */
  readonly context: unknown;
}

function checkSlot(role: 'principal' | 'resource', uid: EntityUid, allowed: ReadonlySet<string>, schema: CedarSchema, action: EntityUid): ErrorIssue[] {
  const entityType = schema.entityTypes.get(uid.type);
  if (entityType === undefined) return [{ path: role, message: `${role} type \`${uid.type}\` is not declared in the schema` }];
  const issues: ErrorIssue[] = [];
  if (!allowed.has(uid.type)) {
    issues.push({
      path: role,
      message: `${role} type \`${uid.type}\` is not valid for \`${action.key}\``,
      hint: allowed.size === 0 ? `no ${role} types are valid for \`${action.key}\`` : `valid ${role} types: ${[...allowed].join(', ')}`,
    });
  }
  if (entityType.enumIds !== undefined && !entityType.enumIds.has(uid.id)) {
    issues.push({ path: role, message: `entity \`${uid.key}\` is of an enumerated entity type, but ${JSON.stringify(uid.id)} is not declared as a valid eid` });
  }
  return issues;
}

/** Every reason Cedar would refuse this request under `schema`; empty when it is valid. */
export function validateRequest(schema: CedarSchema, request: RequestToValidate): ErrorIssue[] {
  const action = schema.actions.get(request.action.key);
  if (action === undefined) return [{ path: 'action', message: `action \`${request.action.key}\` does not exist in the supplied schema` }];
  const issues = [
    ...checkSlot('principal', request.principal, action.principalTypes, schema, request.action),
    ...checkSlot('resource', request.resource, action.resourceTypes, schema, request.action),
  ];
  try {
    parseContextWithSchema(request.context, schema, request.action);
  } catch (error) {
    if (!isTenetError(error)) throw error;
    issues.push(...error.issues);
  }
  return issues;
}
