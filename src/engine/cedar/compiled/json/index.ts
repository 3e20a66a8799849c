// Schema-less Cedar JSON → compiled-evaluator values: an exact JSON text reader, values, context
// and entity lists. Schema-based parsing lives in ../schema/.
export { parseJsonExact, MAX_JSON_DEPTH, type ExactJson } from './exact-json.js';
export { contextFromJson, entityUidFromJson, entityUidOf, longFromJson, valueFromJson } from './cedar-value-json.js';
export { entitiesFromJson, entityFromJson, entityGraphFromJson } from './entities-json.js';
export { isEntityTypeName } from './entity-type-name.js';
