// One line of `tenet cedar authorize --batch`: a case (Cedar policy text, entity JSON, optional
// schema, requests) answered by either evaluator, printed identically. The line format, and what a
// bad line or a bad request prints, is a contract with tests outside this repository:
//  - a line whose JSON, policies, schema or entities cannot be parsed → `{"error": "<stage>: …"}`;
//  - a request that cedar-wasm refuses (malformed uid, context that does not parse, or fails
//    `validateRequest`) → `{"error": "request: …"}` in its place in `results`, as cedar-wasm's
//    `isAuthorized` fails per request;
//  - policy ids are `@id` annotations when present, else Cedar's `policyN` (N = position in the
//    text). cedar-wasm ignores `@id` for a text policy set, so its ids are mapped back; two policies
//    ending up with the same id make the line an error, since the output could not tell them apart.
import { isTenetError } from '../../../errors.js';
import { compilePolicySet, type CompiledPolicySet } from './authorizer.js';
import { InMemoryEntityGraph } from './entity-graph.js';
import { parsePolicySet } from './parser/index.js';
import { actionEntities, loadSchema, parseContextWithSchema, parseEntitiesWithSchema, validateRequest, type CedarSchema } from './schema/index.js';
import { contextFromJson, entitiesFromJson, entityUidFromJson, parseJsonExact } from './json/index.js';
import type { EntityUid, RecordValue } from './value.js';
import { checkParseEntities, checkParsePolicySet, checkParseSchema, isAuthorized, policySetTextToParts, policyToJson, type Context, type Entities, type EntityUid as WasmUid, type Schema } from '@cedar-policy/cedar-wasm/nodejs';

export type Evaluator = 'compiled' | 'wasm';

export interface BatchDecision {
  readonly decision: 'allow' | 'deny';
  /** Determining policy ids, sorted. */
  readonly reason: readonly string[];
  /** Ids of the policies whose evaluation errored, sorted. */
  readonly errors: readonly string[];
}

export type BatchResult = BatchDecision | { readonly error: string };
export type BatchOutput = { readonly results: readonly BatchResult[] } | { readonly error: string };

/** One request of a case, with its uids already checked to be `{type, id}` (or `__entity`-wrapped). */
interface BatchRequest {
  readonly principal: { readonly type: string; readonly id: string };
  readonly action: { readonly type: string; readonly id: string };
  readonly resource: { readonly type: string; readonly id: string };
  readonly context: unknown;
  readonly validateRequest: boolean;
}

/** A parsed line. JSON values come from parseJsonExact: every integer is an exact `bigint`. */
interface BatchCase {
  readonly policies: string;
  readonly entities: unknown;
  readonly schema: string | object | undefined;
  /** A request that is not even shaped like one is kept as its error message. */
  readonly requests: readonly (BatchRequest | string)[];
}

class LineError extends Error {}

/** Answers one batch line. Never throws: every failure is data in the output. */
export function runBatchCase(line: string, evaluator: Evaluator): BatchOutput {
  try {
    const batchCase = readCase(readJsonLine(line));
    return evaluator === 'wasm' ? runWasm(batchCase) : runCompiled(batchCase);
  } catch (error) {
    if (error instanceof LineError) return { error: error.message };
    return { error: `internal: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function readJsonLine(line: string): unknown {
  try {
    return parseJsonExact(line);
  } catch (error) {
    throw new LineError(`json: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readCase(json: unknown): BatchCase {
  if (!isObject(json)) throw new LineError('case: a line must be a JSON object');
  const { policies, entities = [], schema, requests } = json;
  if (typeof policies !== 'string') throw new LineError('case: `policies` must be Cedar policy text (a string)');
  if (!Array.isArray(requests)) throw new LineError('case: `requests` must be an array');
  if (schema !== undefined && !(typeof schema === 'string' || isObject(schema))) throw new LineError('schema: must be Cedar schema text (a string) or a JSON schema (an object)');
  // INVARIANT: a string schema is Cedar schema text, for both evaluators (cedar-wasm reads any
  // string that way; the compiled loader would also accept JSON text, so refuse it here).
  if (typeof schema === 'string' && schema.trimStart().startsWith('{')) throw new LineError('schema: a string schema must be Cedar schema text; give a JSON schema as an object');
  return { policies, entities, schema, requests: requests.map(readRequest) };
}

function readRequest(json: unknown): BatchRequest | string {
  if (!isObject(json)) return 'request: must be a JSON object';
  const principal = readUid(json['principal']);
  const action = readUid(json['action']);
  const resource = readUid(json['resource']);
  if (principal === undefined || action === undefined || resource === undefined) return 'request: principal, action and resource must each be {"type": …, "id": …}';
  const context = json['context'] ?? {};
  const validate = json['validateRequest'] ?? false;
  if (typeof validate !== 'boolean') return 'request: validateRequest must be a boolean';
  return { principal, action, resource, context, validateRequest: validate };
}

function readUid(json: unknown): { type: string; id: string } | undefined {
  const inner = isObject(json) && isObject(json['__entity']) ? json['__entity'] : json;
  if (!isObject(inner) || typeof inner['type'] !== 'string' || typeof inner['id'] !== 'string') return undefined;
  return { type: inner['type'], id: inner['id'] };
}

/** The answer to one request: ids sorted (code-unit order) so output is byte-for-byte deterministic. */
function decisionOf(decision: 'allow' | 'deny', reason: Iterable<string>, errors: Iterable<string>): BatchDecision {
  return { decision, reason: [...new Set(reason)].sort(), errors: [...new Set(errors)].sort() };
}

function assertUniqueIds(ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new LineError(`policies: two policies have the id \`${id}\` (an @id annotation repeats one, or names another policy's default id)`);
    seen.add(id);
  }
}

// ---- cedar-wasm ---------------------------------------------------------------------------------

function runWasm(batchCase: BatchCase): BatchOutput {
  const ids = wasmPolicyIds(batchCase.policies);
  const schema = batchCase.schema as Schema | undefined;
  if (schema !== undefined) {
    const check = checkParseSchema(schema);
    if (check.type === 'failure') throw new LineError(`schema: ${messages(check.errors)}`);
  }
  const entities = toWasmJson(batchCase.entities, 'entities') as Entities;
  const entityCheck = checkParseEntities({ entities, schema: schema ?? null });
  if (entityCheck.type === 'failure') throw new LineError(`entities: ${messages(entityCheck.errors)}`);
  const results = batchCase.requests.map((request): BatchResult => {
    if (typeof request === 'string') return { error: request };
    let context: Context;
    try {
      context = toWasmJson(request.context, 'context') as Context;
    } catch (error) {
      return { error: `request: ${(error as Error).message}` };
    }
    const answer = isAuthorized({
      principal: request.principal as WasmUid,
      action: request.action as WasmUid,
      resource: request.resource as WasmUid,
      context,
      entities,
      policies: { staticPolicies: batchCase.policies },
      ...(schema === undefined ? {} : { schema }),
      validateRequest: request.validateRequest,
    });
    if (answer.type === 'failure') return { error: `request: ${messages(answer.errors)}` };
    const rename = (id: string): string => ids.get(id) ?? id;
    const { decision, diagnostics } = answer.response;
    return decisionOf(decision, diagnostics.reason.map(rename), diagnostics.errors.map((e) => rename(e.policyId)));
  });
  return { results };
}

/** cedar-wasm's `policyN` → the id this contract prints (`@id` when present). */
function wasmPolicyIds(text: string): Map<string, string> {
  const check = checkParsePolicySet({ staticPolicies: text });
  if (check.type === 'failure') throw new LineError(`policies: ${messages(check.errors)}`);
  const parts = policySetTextToParts(text);
  if (parts.type === 'failure') throw new LineError(`policies: ${messages(parts.errors)}`);
  const ids = new Map<string, string>();
  parts.policies.forEach((policy, index) => {
    let id = `policy${index}`;
    if (policy.includes('@id')) {
      const json = policyToJson(policy);
      if (json.type === 'failure') throw new LineError(`policies: ${messages(json.errors)}`);
      id = json.json.annotations?.['id'] ?? id;
    }
    ids.set(`policy${index}`, id);
  });
  assertUniqueIds([...ids.values()]);
  return ids;
}

function messages(errors: readonly { readonly message: string }[]): string {
  return errors.map((e) => e.message).join('; ');
}

/**
 * JSON for cedar-wasm, which receives JS values: an integer is exact there only within ±(2^53 − 1),
 * so a larger one cannot be handed over faithfully and is refused rather than silently rounded.
 */
function toWasmJson(value: unknown, path: string): unknown {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new LineError(`${path}: the integer ${value} is beyond ±(2^53 − 1), which cedar-wasm cannot receive exactly`);
    return Number(value);
  }
  if (Array.isArray(value)) return value.map((item, i) => toWasmJson(item, `${path}[${i}]`));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWasmJson(item, `${path}.${key}`)]));
  return value;
}

// ---- compiled evaluator -------------------------------------------------------------------------

function runCompiled(batchCase: BatchCase): BatchOutput {
  const policySet = stage('policies', () => compiledPolicySet(batchCase.policies));
  const schema = batchCase.schema === undefined ? undefined : stage('schema', () => loadSchema(batchCase.schema as string | object));
  const graph = stage('entities', () => entityGraph(batchCase.entities, schema));
  const results = batchCase.requests.map((request): BatchResult => {
    if (typeof request === 'string') return { error: request };
    try {
      const response = policySet.authorize(compiledRequest(request, schema), graph);
      return decisionOf(response.decision, response.determining, response.errored.map((e) => e.policyId));
    } catch (error) {
      return { error: `request: ${messageOf(error)}` };
    }
  });
  return { results };
}

/** Runs one stage of reading a line; any failure becomes the line's `<stage>: …` error. */
function stage<T>(name: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof LineError) throw error;
    throw new LineError(`${name}: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  if (isTenetError(error) && error.issues.length > 0) return error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return error instanceof Error ? error.message : String(error);
}

function compiledPolicySet(text: string): CompiledPolicySet {
  const policies = parsePolicySet(text);
  // cedar-wasm refuses a text policy set with a template in it ("static policy set includes a template").
  const template = policies.find((policy) => policy.isTemplate);
  if (template !== undefined) throw new LineError(`policies: static policy set includes a template (\`${template.id}\`)`);
  assertUniqueIds(policies.map((policy) => policy.id));
  return compilePolicySet(policies);
}

function entityGraph(json: unknown, schema: CedarSchema | undefined): InMemoryEntityGraph {
  const records = schema === undefined ? entitiesFromJson(json) : [...parseEntitiesWithSchema(json, schema), ...actionEntities(schema)];
  const graph = new InMemoryEntityGraph(records);
  const cycle = graph.entitiesOnCycles()[0];
  if (cycle !== undefined) throw new LineError(`entities: the parent hierarchy has a cycle through \`${cycle.key}\``);
  return graph;
}

function compiledRequest(request: BatchRequest, schema: CedarSchema | undefined): { principal: EntityUid; action: EntityUid; resource: EntityUid; context: RecordValue } {
  const principal = entityUidFromJson(request.principal, 'principal');
  const action = entityUidFromJson(request.action, 'action');
  const resource = entityUidFromJson(request.resource, 'resource');
  if (schema === undefined) return { principal, action, resource, context: contextFromJson(request.context) };
  if (request.validateRequest) {
    const issues = validateRequest(schema, { principal, action, resource, context: request.context });
    if (issues.length > 0) throw new Error(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
  }
  return { principal, action, resource, context: parseContextWithSchema(request.context, schema, action, { validate: request.validateRequest }) };
}
