// loadPolicySet: policy files (+ optional schema) → an immutable PolicySet, or one
// TENET_ERR_POLICY_INVALID naming every problem (`file:line:col` and message).
import { createHash } from 'node:crypto';
import { policyToText, validate, type SchemaJson } from '@cedar-policy/cedar-wasm/nodejs';
import canonicalize from 'canonicalize';
import { TenetError, type ErrorIssue } from '../errors.js';
import { entityLiterals, ScopeIndex, scopeConstraintFromJson, type PolicyScope } from './cedar/scope-index.js';
import type { PolicyEvaluator } from './cedar/evaluator.js';
import { createCompiledEvaluator } from './cedar/compiled/compiled-evaluator.js';
import { parsePolicySet as parseCompiled } from './cedar/compiled/parser/index.js';
import { createWasmEvaluator } from './cedar/wasm-evaluator.js';
import { parsePolicyFiles, type ParsedPolicy } from './load/parse-policies.js';
import { sourceLocation } from './load/source-position.js';
import { actionEntities, loadSchema } from './load/schema.js';
import type { LoadedPolicy, PolicySet, PolicySource } from './policy-set.js';

/** Strict validation (Cedar's only mode today): every policy must type-check against the schema. */
function validatePolicies(policies: readonly ParsedPolicy[], fileTexts: ReadonlyMap<string, string>, schema: SchemaJson<string>, schemaFile: string, issues: ErrorIssue[]): void {
  const byId = new Map(policies.map((policy) => [policy.id, policy]));
  const answer = validate({
    schema,
    policies: { staticPolicies: Object.fromEntries(policies.map((policy) => [policy.id, policy.text])) },
    validationSettings: { mode: 'strict' },
  });
  if (answer.type === 'failure') {
    for (const error of answer.errors) issues.push({ path: schemaFile, message: error.message });
    return;
  }
  // Reported in source order, as a reader fixes them.
  const order = new Map(policies.map((policy, i) => [policy.id, i]));
  const rank = (e: { policyId: string; error: { sourceLocations?: { start: number }[] } }): [number, number] => [order.get(e.policyId) ?? -1, e.error.sourceLocations?.[0]?.start ?? 0];
  const sorted = [...answer.validationErrors].sort((a, b) => {
    const [pa, sa] = rank(a);
    const [pb, sb] = rank(b);
    return pa - pb || sa - sb;
  });
  for (const { policyId, error } of sorted) {
    const policy = byId.get(policyId);
    const start = error.sourceLocations?.[0]?.start;
    const path = policy === undefined ? policyId : start === undefined ? `${policy.file} (policy ${policyId})` : sourceLocation(policy.file, fileTexts.get(policy.file) ?? '', policy.offset + start);
    issues.push(error.help === null ? { path, message: error.message } : { path, message: error.message, hint: error.help });
  }
}

function policyVersion(policies: readonly ParsedPolicy[], schema: SchemaJson<string> | undefined): string {
  // Canonical texts: Cedar's own rendering of each policy, so reformatting or re-commenting a file
  // does not change the version, while any change of meaning (or of id) does.
  const canonical = policies.map((policy) => {
    const rendered = policyToText(policy.json);
    return { id: policy.id, text: rendered.type === 'success' ? rendered.text : policy.text };
  });
  const document = canonicalize({ policies: canonical, schema: schema ?? null });
  return createHash('sha256').update(document ?? '').digest('hex');
}

function toLoadedPolicy(policy: ParsedPolicy): LoadedPolicy {
  return { id: policy.id, effect: policy.json.effect, location: policy.location, text: policy.text, literals: entityLiterals(policy.json) };
}

function toScope(policy: ParsedPolicy): PolicyScope {
  return {
    id: policy.id,
    principal: scopeConstraintFromJson(policy.json.principal),
    action: scopeConstraintFromJson(policy.json.action),
    resource: scopeConstraintFromJson(policy.json.resource),
  };
}

/** Which Cedar evaluator decides: the compiled JS one (default), or cedar-wasm, the reference. */
export type EvaluatorKind = 'compiled' | 'wasm';

export interface LoadOptions {
  readonly evaluator?: EvaluatorKind;
}

function createEvaluator(kind: EvaluatorKind, policies: readonly ParsedPolicy[]): PolicyEvaluator {
  if (kind === 'wasm') return createWasmEvaluator(new Map(policies.map((policy) => [policy.id, policy.text])));
  // Each policy's text is parsed again by Tenet's own parser, which keeps Long literals exact
  // (cedar-wasm's JSON form rounds them to doubles); ids are the ones cedar-wasm's parse assigned.
  return createCompiledEvaluator(
    policies.map((policy) => {
      const [compiled] = parseCompiled(policy.text, policy.file);
      if (compiled === undefined) throw new TenetError('TENET_ERR_POLICY_INVALID', `${policy.location}: the policy could not be compiled`);
      return { ...compiled, id: policy.id };
    }),
  );
}

export function loadPolicySet(source: PolicySource, options: LoadOptions = {}): PolicySet {
  const issues: ErrorIssue[] = [];
  const fileTexts = new Map(source.policies.map(({ file, text }) => [file, text]));
  const parsed = parsePolicyFiles(source.policies, issues);
  const schema = source.schema === undefined ? undefined : loadSchema(source.schema, issues);
  if (schema !== undefined && source.schema !== undefined) validatePolicies(parsed, fileTexts, schema, source.schema.file, issues);
  if (issues.length > 0) {
    const noun = issues.length === 1 ? 'problem' : 'problems';
    throw new TenetError('TENET_ERR_POLICY_INVALID', `policy set has ${issues.length} ${noun}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  const policies = new Map(parsed.map((policy) => [policy.id, toLoadedPolicy(policy)]));
  return {
    version: policyVersion(parsed, schema),
    ids: parsed.map((policy) => policy.id),
    total: parsed.length,
    policies,
    scopes: new ScopeIndex(parsed.map(toScope)),
    actions: schema === undefined ? new Map() : actionEntities(schema),
    validated: schema !== undefined,
    evaluator: createEvaluator(options.evaluator ?? 'compiled', parsed),
  };
}
