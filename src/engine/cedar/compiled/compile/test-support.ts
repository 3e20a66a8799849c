// Test support (not used by production code): Cedar text → ParsedPolicy via cedar-wasm's
// policyToJson, so compiler tests do not depend on our own parser. policyToJson hands integers
// back as doubles, so a literal beyond ±(2^53 − 1) is refused here; tests needing one build the
// AST by hand or read the value from context JSON.
import { policyToJson, templateToJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { ParsedPolicy, PolicyAst } from '../est.js';

function withBigInts(json: unknown): unknown {
  if (typeof json === 'number') {
    if (!Number.isSafeInteger(json)) throw new Error(`policyToJson integer ${json} is not exact; build this AST by hand`);
    return BigInt(json);
  }
  if (Array.isArray(json)) return json.map(withBigInts);
  if (typeof json === 'object' && json !== null) return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, withBigInts(v)]));
  return json;
}

export function astFromWasm(text: string, isTemplate = false): PolicyAst {
  const answer = isTemplate ? templateToJson(text) : policyToJson(text);
  if (answer.type === 'failure') throw new Error(`cedar-wasm could not parse ${text}: ${answer.errors.map((e) => e.message).join('; ')}`);
  const json = withBigInts(answer.json) as Omit<PolicyAst, 'annotations' | 'conditions'> & Partial<Pick<PolicyAst, 'annotations' | 'conditions'>>;
  return { ...json, conditions: json.conditions ?? [], annotations: json.annotations ?? {} };
}

/** One policy (or template) with the given id, parsed by cedar-wasm. */
export function policyFromWasm(id: string, text: string, isTemplate = false): ParsedPolicy {
  return { id, ast: astFromWasm(text, isTemplate), isTemplate, span: { offset: 0, length: text.length, line: 1, column: 1 }, text };
}

/** Static policies keyed by id, parsed by cedar-wasm (the same record can go to isAuthorized as `staticPolicies`). */
export function policiesFromWasm(texts: Readonly<Record<string, string>>): ParsedPolicy[] {
  return Object.entries(texts).map(([id, text]) => policyFromWasm(id, text));
}
