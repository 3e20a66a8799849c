// Identity signals: Cedar entity files (users, groups, resources) and the in-memory entity index.
export { parseEntities } from './parse-entities.js';
export { importEntities, type EntityImportResult } from './import-entities.js';
export { EntityIndex } from './entity-index.js';
export { cedarEntitySchema, entityRefSchema } from './entity-schema.js';
