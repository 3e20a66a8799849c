// PolicyEvaluator (../evaluator.ts) backed by the compiled evaluator, so the engine can switch
// from cedar-wasm by construction alone. Each call converts its entity JSON into a fresh graph;
// an engine that keeps an InMemoryEntityGraph can call CompiledPolicySet.authorize directly and
// skip that cost. Bad entity or context JSON throws TenetError, as cedar-wasm's failure answer
// does in wasm-evaluator.ts, and the engine denies.
import type { EvaluationCall, EvaluationResult, PolicyEvaluator } from '../evaluator.js';
import { compilePolicySet } from './authorizer.js';
import type { ParsedPolicy, TemplateLink } from './est.js';
import { contextFromJson, entityGraphFromJson, entityUidOf } from './json/index.js';

export function createCompiledEvaluator(policies: readonly ParsedPolicy[], links: readonly TemplateLink[] = []): PolicyEvaluator {
  const policySet = compilePolicySet(policies, links);
  return {
    evaluate(call: EvaluationCall): EvaluationResult {
      const graph = entityGraphFromJson(call.entities);
      const request = {
        principal: entityUidOf(call.principal.type, call.principal.id, 'principal'),
        action: entityUidOf(call.action.type, call.action.id, 'action'),
        resource: entityUidOf(call.resource.type, call.resource.id, 'resource'),
        context: contextFromJson(call.context),
      };
      return policySet.authorize(request, graph, call.policyIds);
    },
  };
}
