// AuthZEN request → NIST tuple (AccessRequest). Subject, action and resource map one to one; the
// request context passes through to Cedar except for Tenet's reserved members (device_id, ip,
// user_agent, method, path, domain, time, authn), which are lifted into the tuple's device, environment
// and authentication fields so the trust algorithm can use them. Documented in docs/authzen.md.
import type { ErrorIssue } from '../../errors.js';
import type { AccessRequest, Authentication, Environment, RequestAction, RequestEntity } from '../../engine/tuple.js';
import { parseWith } from '../zod-issues.js';
import { RESERVED_CONTEXT_KEYS, reservedContextSchema, type EvaluationInput } from './schema.js';

export type TupleResult = { readonly ok: true; readonly request: AccessRequest } | { readonly ok: false; readonly issues: ErrorIssue[] };

function entity(input: EvaluationInput['subject']): RequestEntity {
  return input.properties === undefined
    ? { type: input.type, id: input.id }
    : { type: input.type, id: input.id, properties: input.properties };
}

function action(input: EvaluationInput['action']): RequestAction {
  return input.properties === undefined ? { name: input.name } : { name: input.name, properties: input.properties };
}

/** Drops undefined members so optional tuple fields are absent, not `undefined` (exactOptionalPropertyTypes). */
function defined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
}

/** Normalises an accepted ISO 8601 time to UTC `toISOString()` form so the engine parses one format. */
function isoUtc(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

/**
 * Builds the tuple for one (already default-resolved) evaluation. `contextPath` names where the
 * context came from (`context` or `evaluations[2].context`) so issues point at the right member.
 */
export function toAccessRequest(input: EvaluationInput, contextPath: string): TupleResult {
  const context = input.context ?? {};
  const reserved = parseWith(reservedContextSchema, context, contextPath);
  if (!reserved.ok) return reserved;
  const lifted = reserved.data;

  const environment = defined<Environment>({
    ip: lifted.ip,
    time: isoUtc(lifted.time),
    userAgent: lifted.user_agent,
    method: lifted.method,
    path: lifted.path,
    domain: lifted.domain,
  });
  const authn: Authentication | undefined =
    lifted.authn === undefined
      ? undefined
      : defined<Authentication>({
          methods: lifted.authn.methods,
          phishingResistant: lifted.authn.phishing_resistant,
          authenticatedAt: isoUtc(lifted.authn.authenticated_at),
          acr: lifted.authn.acr,
        });
  // Object.fromEntries defines own data properties, so even an odd key cannot reach a prototype.
  const rest = Object.fromEntries(Object.entries(context).filter(([key]) => !RESERVED_CONTEXT_KEYS.includes(key)));

  return {
    ok: true,
    request: defined<AccessRequest>({
      subject: entity(input.subject),
      deviceId: lifted.device_id,
      action: action(input.action),
      resource: entity(input.resource),
      environment,
      authn,
      context: Object.keys(rest).length > 0 ? rest : undefined,
    }),
  };
}
