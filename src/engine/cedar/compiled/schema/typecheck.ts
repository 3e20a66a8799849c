// The conformance phase that follows parsing (Cedar's `typecheck_value_against_schematype` plus
// its check of entity references): a parsed Value must have exactly the declared type — entity
// references of exactly the declared entity type and, for an enumerated type, one of its ids.
// https://docs.cedarpolicy.com/schema/schema.html
import { EntityUid, RecordValue, SetValue, valueTypeName, type ExtensionValue, type Value } from '../value.js';
import { nonConforming } from './parse-value.js';
import type { CedarSchema, SchemaType } from './types.js';

const typeName = valueTypeName;

function describe(type: SchemaType): string {
  switch (type.kind) {
    case 'Set':
      return `[${describe(type.element)}]`;
    case 'Record':
      return 'record';
    case 'Entity':
    case 'Extension':
      return type.name;
    default:
      return type.kind.toLowerCase();
  }
}

function isExtension(value: Value): value is ExtensionValue {
  return typeof value === 'object' && !(value instanceof EntityUid) && !(value instanceof SetValue) && !(value instanceof RecordValue);
}

/** Throws TENET_ERR_REQUEST_INVALID (at `path`) unless the enum type of `uid`, if any, lists its id. */
export function checkEnumId(uid: EntityUid, schema: CedarSchema, path: string): void {
  const enumIds = schema.entityTypes.get(uid.type)?.enumIds;
  if (enumIds !== undefined && !enumIds.has(uid.id)) {
    throw nonConforming(path, `entity \`${uid.type}::${JSON.stringify(uid.id)}\` is of an enumerated entity type, but ${JSON.stringify(uid.id)} is not declared as a valid eid`);
  }
}

/** Throws TENET_ERR_REQUEST_INVALID (naming `path`) unless `value` has `type`. Records are closed. */
export function checkValue(value: Value, type: SchemaType, schema: CedarSchema, path: string): void {
  const mismatch = (): never => {
    throw nonConforming(path, `type mismatch: value was expected to have type ${describe(type)}, but it actually has type ${typeName(value)}`);
  };
  switch (type.kind) {
    case 'String':
      if (typeof value !== 'string') mismatch();
      return;
    case 'Long':
      if (typeof value !== 'bigint') mismatch();
      return;
    case 'Boolean':
      if (typeof value !== 'boolean') mismatch();
      return;
    case 'Entity':
      if (!(value instanceof EntityUid) || value.type !== type.name) return mismatch();
      checkEnumId(value, schema, path);
      return;
    case 'Extension':
      if (!isExtension(value) || value.extension !== type.name) mismatch();
      return;
    case 'Set':
      if (!(value instanceof SetValue)) return mismatch();
      value.items.forEach((item, i) => checkValue(item, type.element, schema, `${path}[${i}]`));
      return;
    case 'Record': {
      if (!(value instanceof RecordValue)) return mismatch();
      for (const [name, attribute] of type.attributes) {
        const field = value.fields.get(name);
        if (field !== undefined) checkValue(field, attribute.type, schema, `${path}.${name}`);
        else if (attribute.required) throw nonConforming(path, `expected the record to have an attribute \`${name}\`, but it does not`);
      }
      for (const name of value.fields.keys()) {
        if (!type.attributes.has(name)) throw nonConforming(`${path}.${name}`, `attribute \`${name}\` should not exist according to the schema`);
      }
      return;
    }
  }
}
