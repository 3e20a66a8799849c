// Cedar schemas for the compiled evaluator: load a schema (text or JSON) once, then parse entity
// and context JSON against it and validate requests, with cedar-wasm's exact accept/reject rules.
export { actionEntities, type ParsedEntity } from './action-entities.js';
export { loadSchema } from './load-schema.js';
export { parseContextWithSchema, type ContextParseOptions } from './parse-context.js';
export { parseEntitiesWithSchema } from './parse-entities.js';
export { validateRequest, type RequestToValidate } from './validate-request.js';
export type { ActionSchema, AttributeType, CedarSchema, EntityTypeSchema, ExtensionTypeName, RecordType, SchemaType } from './types.js';
