// The oracle side of the parser's differential tests: cedar-wasm's own parse of the same text,
// normalised to compare with ours. Normalisation covers only the representational differences
// Tenet chose on purpose: integer literals are bigint in our EST, an annotation without a value is
// "" rather than null, and `annotations` is always present (policyToJson omits it when empty).

import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { ParsedPolicy } from '../../est.js';

export type ReferenceResult =
  | { readonly ok: true; readonly policies: readonly unknown[]; readonly templates: readonly unknown[]; readonly policyTexts: readonly string[]; readonly templateTexts: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** cedar-wasm's parse of a policy set: split with policySetTextToParts, then each part to JSON. */
export function cedarParse(text: string): ReferenceResult {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== 'success') return { ok: false, message: parts.errors.map((error) => error.message).join('; ') };
  const policies = parts.policies.map((policy) => {
    const answer = cedar.policyToJson(policy);
    if (answer.type !== 'success') throw new Error(`policyToJson rejected a part policySetTextToParts produced: ${policy}`);
    return normaliseCedarJson(answer.json);
  });
  const templates = parts.policy_templates.map((template) => {
    const answer = cedar.templateToJson(template);
    if (answer.type !== 'success') throw new Error(`templateToJson rejected a part policySetTextToParts produced: ${template}`);
    return normaliseCedarJson(answer.json);
  });
  return { ok: true, policies, templates, policyTexts: parts.policies, templateTexts: parts.policy_templates };
}

/** Does cedar-wasm accept this policy set text? */
export function cedarAccepts(text: string): boolean {
  return cedar.policySetTextToParts(text).type === 'success';
}

function normaliseCedarJson(json: unknown): unknown {
  const policy = { ...(json as Record<string, unknown>) };
  const annotations = (policy['annotations'] ?? {}) as Record<string, string | null>;
  policy['annotations'] = Object.fromEntries(Object.entries(annotations).map(([key, value]) => [key, value ?? '']));
  return policy;
}

/** Our AST as plain JSON: bigints become numbers (the tests keep literals within ±2^53). */
export function oursAsJson(policy: ParsedPolicy): unknown {
  return JSON.parse(JSON.stringify(policy.ast, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value)));
}
