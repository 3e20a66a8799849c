// PolicyEvaluator (../evaluator.ts) backed by the compiled evaluator, so the engine can switch
// from cedar-wasm by construction alone. Each call's entity JSON is read through an entity view
// (entity-view.ts) that converts each entity object once and reuses it across calls, and the
// context's object-valued fields are converted once per object (context-cache.ts); an engine
// that keeps an InMemoryEntityGraph can call CompiledPolicySet.authorize directly and skip even
// that. Bad entity or context JSON throws TenetError, as cedar-wasm's failure answer does in
// wasm-evaluator.ts, and the engine denies.
import type { EvaluationCall, EvaluationResult, PolicyEvaluator } from '../evaluator.js';
import { compilePolicySet } from './authorizer.js';
import { cachedContextFromJson } from './context-cache.js';
import { cachedEntityViewFromJson } from './entity-view.js';
import type { ParsedPolicy, TemplateLink } from './est.js';
import { entityUidOf } from './json/index.js';

export function createCompiledEvaluator(policies: readonly ParsedPolicy[], links: readonly TemplateLink[] = []): PolicyEvaluator {
  const policySet = compilePolicySet(policies, links);
  return {
    evaluate(call: EvaluationCall): EvaluationResult {
      const graph = cachedEntityViewFromJson(call.entities);
      const request = {
        principal: entityUidOf(call.principal.type, call.principal.id, 'principal'),
        action: entityUidOf(call.action.type, call.action.id, 'action'),
        resource: entityUidOf(call.resource.type, call.resource.id, 'resource'),
        context: cachedContextFromJson(call.context),
      };
      return policySet.authorize(request, graph, call.policyIds);
    },
  };
}
