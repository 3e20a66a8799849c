// Zod schemas for AuthZEN Authorization API 1.0 requests (§5 information model, §6 and §7 request
// bodies). Per §10.1.1 receivers MUST ignore unknown members, so objects strip unknown keys rather
// than reject them; Tenet's own extension (the reserved context keys, see to-tuple.ts) is strict.
import { isIP } from 'node:net';
import { z } from 'zod';

// Cedar entity type names: `Namespace::Type` identifiers (https://docs.cedarpolicy.com/policies/syntax-grammar.html).
const CEDAR_TYPE = /^[_a-zA-Z][_a-zA-Z0-9]*(::[_a-zA-Z][_a-zA-Z0-9]*)*$/;

const MAX_ID = 1024;

const nonEmptyString = z.string().min(1, { error: 'must not be empty' }).max(MAX_ID);

/** A JSON object (not an array, not null). */
const jsonObject = z.record(z.string(), z.unknown());

/** §5.1 Subject and §5.2 Resource: `type` doubles as the Cedar entity type, so it must be a Cedar name. */
export const entitySchema = z.object({
  type: z.string().max(256).regex(CEDAR_TYPE, { error: 'must be a Cedar entity type name such as "User" or "App::Document"' }),
  id: nonEmptyString,
  properties: jsonObject.optional(),
});

/** §5.3 Action. */
export const actionSchema = z.object({
  name: nonEmptyString,
  properties: jsonObject.optional(),
});

/** §5.4 Context. */
export const contextSchema = jsonObject;

/** §6.1 Access Evaluation request. */
export const evaluationRequestSchema = z.object({
  subject: entitySchema,
  action: actionSchema,
  resource: entitySchema,
  context: contextSchema.optional(),
});

export type EvaluationInput = z.output<typeof evaluationRequestSchema>;

/** One member of §7.1 `evaluations`: every key may fall back to the top-level default. */
export const evaluationItemSchema = z.object({
  subject: entitySchema.optional(),
  action: actionSchema.optional(),
  resource: entitySchema.optional(),
  context: contextSchema.optional(),
});

export const EVALUATIONS_SEMANTICS = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const;

export type EvaluationsSemantic = (typeof EVALUATIONS_SEMANTICS)[number];

/** §7.1 Access Evaluations request (the item count is checked before this schema runs). */
export const evaluationsRequestSchema = evaluationItemSchema.extend({
  evaluations: z.array(evaluationItemSchema).optional(),
  // §7.1.2: other options are PEP metadata we do not understand and therefore ignore.
  options: z.object({ evaluations_semantic: z.enum(EVALUATIONS_SEMANTICS).optional() }).optional(),
});

export type EvaluationsInput = z.output<typeof evaluationsRequestSchema>;

const isoTime = z.string().refine((value) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)), {
  error: 'must be an ISO 8601 date-time such as "2025-06-27T18:03:00Z"',
});

/**
 * Tenet-reserved context members, lifted into the NIST tuple. Strict about their own shape: a
 * mistyped authentication claim must not silently become "unknown authentication".
 */
export const reservedContextSchema = z.object({
  device_id: nonEmptyString.optional(),
  ip: z.string().refine((value) => isIP(value) !== 0, { error: 'must be an IPv4 or IPv6 address' }).optional(),
  user_agent: z.string().max(4096).optional(),
  method: z.string().max(32).regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { error: 'must be an HTTP method token' }).optional(),
  path: z.string().max(8192).optional(),
  // The host the request is for (threat-listed domains match it); Unicode names are accepted and
  // compared in their punycode form. The engine checks each label.
  domain: z.string().max(253).regex(/^[\p{L}\p{N}\p{M}_.-]+$/u, { error: 'must be a domain name (no scheme, port or path)' }).refine((value) => isIP(value) === 0, { error: 'must be a domain name, not an IP address (use ip)' }).optional(),
  time: isoTime.optional(),
  authn: z
    .strictObject({
      methods: z.array(nonEmptyString).max(32),
      phishing_resistant: z.boolean(),
      authenticated_at: isoTime.optional(),
      acr: nonEmptyString.optional(),
    })
    .optional(),
});

export const RESERVED_CONTEXT_KEYS: readonly string[] = Object.keys(reservedContextSchema.shape);
