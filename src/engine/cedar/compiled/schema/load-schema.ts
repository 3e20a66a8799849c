// Loads a Cedar schema (Cedar text or Cedar's JSON format) into the resolved model of types.ts.
// cedar-wasm is used here, at load time only: it converts text to JSON and checks everything Cedar
// checks about a schema (undeclared names, illegal shadowing, cycles, reserved names, unsupported
// features such as action attributes or `additionalAttributes`), so this file only has to
// *resolve* names — with Cedar's rules — over a schema already known to be valid.
// https://docs.cedarpolicy.com/schema/json-schema.html
import { checkParseSchema, schemaToJson, type DetailedError, type SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import { TenetError, type ErrorIssue } from '../../../../errors.js';
import { EntityUid } from '../value.js';
import type { ActionSchema, AttributeType, CedarSchema, EntityTypeSchema, ExtensionTypeName, RecordType, SchemaType } from './types.js';

type Json = Record<string, unknown>;

const EXTENSION_TYPES: ReadonlySet<string> = new Set<ExtensionTypeName>(['ipaddr', 'decimal', 'datetime', 'duration']);
const EMPTY_RECORD: RecordType = { kind: 'Record', attributes: new Map() };
const CEDAR_PREFIX = '__cedar::';

function qualify(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}::${name}`;
}

function invalid(message: string, issues: readonly ErrorIssue[]): TenetError {
  return new TenetError('TENET_ERR_POLICY_INVALID', `${message}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/** `schema:LINE:COL` for an error Cedar located in schema text. */
function issueFrom(error: DetailedError, text: string | undefined): ErrorIssue {
  const start = error.sourceLocations?.[0]?.start;
  let path = 'schema';
  if (text !== undefined && start !== undefined) {
    const before = text.slice(0, start).split('\n');
    path = `schema:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  }
  return error.help === null ? { path, message: error.message } : { path, message: error.message, hint: error.help };
}

function toJson(schema: string | object): { json: Json; text: string | undefined } {
  if (typeof schema !== 'string') return { json: schema as Json, text: undefined };
  // Cedar schema text never starts with `{`; a JSON schema always does.
  if (schema.trimStart().startsWith('{')) {
    try {
      return { json: JSON.parse(schema) as Json, text: undefined };
    } catch (error) {
      throw invalid('schema is not valid JSON', [{ path: 'schema', message: (error as Error).message }]);
    }
  }
  // Checked as text first: checkParseSchema locates errors in the text, schemaToJson does not reliably.
  const check = checkParseSchema(schema);
  if (check.type === 'failure') throw invalid('schema is not valid', check.errors.map((e) => issueFrom(e, schema)));
  const answer = schemaToJson(schema);
  if (answer.type === 'failure') throw invalid('schema does not parse', answer.errors.map((e) => issueFrom(e, schema)));
  return { json: answer.json as unknown as Json, text: schema };
}

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function asStringArray(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function invariant(message: string): never {
  throw new Error(`INVARIANT violated (cedar-wasm accepted the schema): ${message}`);
}

/** Name resolution over the whole schema (all namespaces), following Cedar's rules (RFC 24). */
class Resolver {
  /** Common type full name → [defining namespace, raw JSON type]. */
  private readonly commonTypes = new Map<string, readonly [string, unknown]>();
  readonly entityTypeNames = new Set<string>();
  readonly actionKeys = new Set<string>();
  private readonly resolving = new Set<string>();

  constructor(readonly json: Json) {
    for (const [namespace, definition] of Object.entries(json)) {
      const ns = asObject(definition);
      for (const [name, type] of Object.entries(asObject(ns['commonTypes']))) this.commonTypes.set(qualify(namespace, name), [namespace, type]);
      for (const name of Object.keys(asObject(ns['entityTypes']))) this.entityTypeNames.add(qualify(namespace, name));
      for (const name of Object.keys(asObject(ns['actions']))) this.actionKeys.add(EntityUid.of(qualify(namespace, 'Action'), name).key);
    }
  }

  /** An entity type name as written in namespace `ns`: `ns::Name` if declared, else the name itself (the empty namespace). */
  entityName(ns: string, name: string): string {
    if (name.includes('::')) return name;
    const local = qualify(ns, name);
    return this.entityTypeNames.has(local) ? local : name;
  }

  /** `{"id": .., "type"?: ..}` in an action's `memberOf`: the type defaults to `Action`, resolved like an entity type. */
  actionUid(ns: string, ref: Json): EntityUid {
    const id = typeof ref['id'] === 'string' ? ref['id'] : invariant('memberOf without id');
    const type = typeof ref['type'] === 'string' ? ref['type'] : 'Action';
    if (type.includes('::')) return EntityUid.of(type, id);
    const local = EntityUid.of(qualify(ns, type), id);
    return this.actionKeys.has(local.key) ? local : EntityUid.of(type, id);
  }

  private builtin(name: string): SchemaType | undefined {
    const bare = name.startsWith(CEDAR_PREFIX) ? name.slice(CEDAR_PREFIX.length) : name;
    switch (bare) {
      case 'String':
        return { kind: 'String' };
      case 'Long':
        return { kind: 'Long' };
      case 'Bool':
        return { kind: 'Boolean' };
      default:
        return EXTENSION_TYPES.has(bare) ? { kind: 'Extension', name: bare as ExtensionTypeName } : undefined;
    }
  }

  private common(fullName: string): SchemaType | undefined {
    const entry = this.commonTypes.get(fullName);
    if (entry === undefined) return undefined;
    if (this.resolving.has(fullName)) invariant(`cycle through common type ${fullName}`);
    this.resolving.add(fullName);
    try {
      return this.type(entry[0], entry[1]);
    } finally {
      this.resolving.delete(fullName);
    }
  }

  /**
   * A name in type position, in namespace `ns`. Common types shadow entity types of the same name,
   * the namespace's own declarations come before the empty namespace's, and the built-in `__cedar`
   * types (`String`, `Long`, `Bool`, the extension types) come last. `{"type": "X"}` (a common-type
   * reference) never names an entity type; `EntityOrCommon` (what Cedar text produces) may.
   */
  private named(ns: string, name: string, allowEntity: boolean): SchemaType {
    if (name.startsWith(CEDAR_PREFIX)) return this.builtin(name) ?? invariant(`unknown builtin ${name}`);
    const candidates = name.includes('::') ? [name] : ns === '' ? [name] : [qualify(ns, name), name];
    for (const candidate of candidates) {
      const common = this.common(candidate);
      if (common !== undefined) return common;
      if (allowEntity && this.entityTypeNames.has(candidate)) return { kind: 'Entity', name: candidate };
    }
    if (!name.includes('::')) {
      const builtin = this.builtin(name);
      if (builtin !== undefined) return builtin;
    }
    return invariant(`unresolved type name ${name} in namespace "${ns}"`);
  }

  type(ns: string, raw: unknown): SchemaType {
    const json = asObject(raw);
    const tag = json['type'];
    switch (tag) {
      case 'String':
      case 'Long':
      case 'Boolean':
        return { kind: tag };
      case 'Set':
        return { kind: 'Set', element: this.type(ns, json['element']) };
      case 'Record':
        return this.record(ns, json);
      case 'Entity':
        return { kind: 'Entity', name: this.entityName(ns, String(json['name'])) };
      case 'Extension': {
        const name = String(json['name']);
        return EXTENSION_TYPES.has(name) ? { kind: 'Extension', name: name as ExtensionTypeName } : invariant(`unknown extension ${name}`);
      }
      case 'EntityOrCommon':
        return this.named(ns, String(json['name']), true);
      default:
        return typeof tag === 'string' ? this.named(ns, tag, false) : invariant('type without a "type" field');
    }
  }

  record(ns: string, json: Json): RecordType {
    const attributes = new Map<string, AttributeType>();
    for (const [name, attribute] of Object.entries(asObject(json['attributes']))) {
      // https://docs.cedarpolicy.com/schema/json-schema.html — `required` defaults to true.
      attributes.set(name, { type: this.type(ns, attribute), required: asObject(attribute)['required'] !== false });
    }
    return { kind: 'Record', attributes };
  }

  /** A shape or context: a record type, possibly through a common type. */
  recordType(ns: string, raw: unknown): RecordType {
    if (raw === undefined) return EMPTY_RECORD;
    const type = this.type(ns, raw);
    return type.kind === 'Record' ? type : invariant('shape/context is not a record');
  }
}

function transitiveClosure<T>(start: Iterable<T>, next: (item: T) => Iterable<T>): Set<T> {
  const seen = new Set<T>();
  const stack = [...start];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (seen.has(item)) continue;
    seen.add(item);
    stack.push(...next(item));
  }
  return seen;
}

function buildEntityTypes(resolver: Resolver): Map<string, EntityTypeSchema> {
  const declared = new Map<string, { ns: string; json: Json }>();
  for (const [ns, definition] of Object.entries(resolver.json)) {
    for (const [name, entityType] of Object.entries(asObject(asObject(definition)['entityTypes']))) declared.set(qualify(ns, name), { ns, json: asObject(entityType) });
  }
  const directParents = new Map<string, readonly string[]>();
  for (const [name, { ns, json }] of declared) directParents.set(name, asStringArray(json['memberOfTypes']).map((parent) => resolver.entityName(ns, parent)));
  const entityTypes = new Map<string, EntityTypeSchema>();
  for (const [name, { ns, json }] of declared) {
    const enumIds = Array.isArray(json['enum']) ? new Set(asStringArray(json['enum'])) : undefined;
    entityTypes.set(name, {
      name,
      shape: resolver.recordType(ns, json['shape']),
      allowedParentTypes: transitiveClosure(directParents.get(name) ?? [], (parent) => directParents.get(parent) ?? []),
      tags: json['tags'] === undefined ? undefined : resolver.type(ns, json['tags']),
      enumIds,
    });
  }
  return entityTypes;
}

function buildActions(resolver: Resolver): Map<string, ActionSchema> {
  const declared: { ns: string; uid: EntityUid; json: Json; memberOf: EntityUid[] }[] = [];
  for (const [ns, definition] of Object.entries(resolver.json)) {
    for (const [name, action] of Object.entries(asObject(asObject(definition)['actions']))) {
      const json = asObject(action);
      const memberOf = (Array.isArray(json['memberOf']) ? json['memberOf'] : []).map((ref) => resolver.actionUid(ns, asObject(ref)));
      declared.push({ ns, uid: EntityUid.of(qualify(ns, 'Action'), name), json, memberOf });
    }
  }
  const parentsOf = new Map(declared.map((action) => [action.uid, action.memberOf] as const));
  const actions = new Map<string, ActionSchema>();
  for (const { ns, uid, json, memberOf } of declared) {
    const appliesTo = json['appliesTo'] === undefined || json['appliesTo'] === null ? undefined : asObject(json['appliesTo']);
    actions.set(uid.key, {
      uid,
      memberOf,
      ancestors: transitiveClosure(memberOf, (parent) => parentsOf.get(parent) ?? []),
      principalTypes: new Set(asStringArray(appliesTo?.['principalTypes']).map((type) => resolver.entityName(ns, type))),
      resourceTypes: new Set(asStringArray(appliesTo?.['resourceTypes']).map((type) => resolver.entityName(ns, type))),
      context: resolver.recordType(ns, appliesTo?.['context']),
    });
  }
  return actions;
}

/**
 * Loads a schema: Cedar schema text, a JSON schema as text, or a JSON schema object. Throws
 * TENET_ERR_POLICY_INVALID (issues name the problem, with `schema:LINE:COL` for text) when Cedar
 * rejects it.
 */
export function loadSchema(schema: string | object): CedarSchema {
  const { json, text } = toJson(schema);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('schema is not valid', [{ path: 'schema', message: 'a JSON schema must be an object of namespaces' }]);
  if (text === undefined) {
    const check = checkParseSchema(json as unknown as SchemaJson<string>);
    if (check.type === 'failure') throw invalid('schema is not valid', check.errors.map((e) => issueFrom(e, undefined)));
  }
  const resolver = new Resolver(json);
  return { entityTypes: buildEntityTypes(resolver), actions: buildActions(resolver), json };
}
