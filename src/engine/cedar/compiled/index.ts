// Public API of the compiled Cedar evaluator: compile a policy set once, keep an entity graph,
// authorize requests in microseconds. See README.md for the module map.
export { compilePolicySet, type AuthorizationRequest, type AuthorizationResponse, type CompiledPolicySet } from './authorizer.js';
export { createCompiledEvaluator } from './compiled-evaluator.js';
export { InMemoryEntityGraph, type EntityRecord } from './entity-graph.js';
export {
  contextFromJson,
  entitiesFromJson,
  entityFromJson,
  entityGraphFromJson,
  entityUidFromJson,
  entityUidOf,
  isEntityTypeName,
  longFromJson,
  parseJsonExact,
  valueFromJson,
  type ExactJson,
} from './json/index.js';
export type { ParsedPolicy, PolicyAst, TemplateLink } from './est.js';
export { CedarEvaluationError, EntityUid, RecordValue, SetValue, type EntityData, type EntityGraph, type ExtensionValue, type Value } from './value.js';
