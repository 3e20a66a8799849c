// Secret redaction for the decision log: the body must never carry bearer tokens, cookies or keys
// (ARCHITECTURE.md §6). The tuple has no credential fields by design, but the free-form maps
// (`subject/resource/action.properties`, caller `context`) are whatever a PEP or AuthZEN client
// sent, so they are scrubbed here before hashing: once a secret is in a hash-chained record it can
// never be removed without breaking the chain.
//
// Rules (documented in docs/audit.md):
//  - a property whose NAME looks like a credential (token, secret, password, cookie,
//    authorization, credential, api/private/access/signing key) keeps its key, value `[redacted]`;
//  - a string VALUE that looks like a credential whatever its name (`Bearer …`, `Basic …`, a
//    compact JWS/JWT) becomes `[redacted]`;
//  - in `environment.path`, query parameters named like a credential (`?access_token=…`) keep
//    their name, value `[redacted]`; the other tuple fields are kept verbatim;
//  - values JSON cannot represent are made representable so RFC 8785 canonicalisation never
//    throws: bigint → decimal string, NaN/±Infinity → null, functions/symbols/undefined dropped.
import type { AccessRequest, Environment, RequestEntity, RequestAction } from '../engine/tuple.js';

export const REDACTED = '[redacted]';

const SECRET_NAME = /token|secret|passw|pwd|cookie|authori[sz]ation|credential|(?:api|private|access|signing)[-_]?key/i;
// RFC 6750/7617 credentials are `scheme token68`; a JWS/JWT in compact form starts `eyJ` (`{"`).
const SECRET_VALUE = /^(?:bearer|basic)\s+[\w.~+/=-]+$|^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*$/i;

/** True when a property name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Deep copy of a JSON-ish value with credentials replaced and non-JSON values normalised. */
export function redactValue(value: unknown): unknown {
  return scrub(value, new WeakSet());
}

function scrub(value: unknown, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return SECRET_VALUE.test(value) ? REDACTED : value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  // A cycle cannot be serialised; cut it rather than fail the decision's log record.
  if (seen.has(value)) return REDACTED;
  seen.add(value);
  if (Array.isArray(value)) {
    const out = value.map((item) => scrub(item, seen) ?? null);
    seen.delete(value);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const cleaned = isSecretName(key) ? REDACTED : scrub(inner, seen);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  seen.delete(value);
  return out;
}

function redactMap(map: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return redactValue(map) as Record<string, unknown>;
}

function redactEntity(entity: RequestEntity): RequestEntity {
  const { properties, ...rest } = entity;
  return properties === undefined ? rest : { ...rest, properties: redactMap(properties) };
}

function redactAction(action: RequestAction): RequestAction {
  const { properties, ...rest } = action;
  return properties === undefined ? rest : { ...rest, properties: redactMap(properties) };
}

/** `/cb?access_token=abc&x=1` → `/cb?access_token=[redacted]&x=1`; a path without a query is unchanged. */
export function redactPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = path
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // Malformed escapes: judge the raw name.
      }
      return eq >= 0 && isSecretName(name) ? `${rawName}=${REDACTED}` : pair;
    });
  return `${path.slice(0, q)}?${params.join('&')}`;
}

function redactEnvironment(environment: Environment): Environment {
  return environment.path === undefined ? environment : { ...environment, path: redactPath(environment.path) };
}

/** The access request as it may be logged. */
export function redactRequest(request: AccessRequest): AccessRequest {
  const { context, ...rest } = request;
  const redacted: AccessRequest = {
    ...rest,
    environment: redactEnvironment(request.environment),
    subject: redactEntity(request.subject),
    action: redactAction(request.action),
    resource: redactEntity(request.resource),
  };
  return context === undefined ? redacted : { ...redacted, context: redactMap(context) };
}
