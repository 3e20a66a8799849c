// Renders a SchemaModel as Cedar schema text or as Cedar's JSON schema format, so that both of the
// batch format's schema forms (a string, or an object) are exercised.
import { type AttrModel, type SchemaModel, type TypeModel } from './schema-model.js';

export function schemaText(schema: SchemaModel): string {
  const lines: string[] = [];
  for (const common of schema.commonTypes) lines.push(`type ${common.name} = ${typeText(common.type)};`);
  for (const entity of schema.entityTypes) {
    if (entity.enumIds !== undefined) {
      lines.push(`entity ${entity.local} enum [${entity.enumIds.map((id) => JSON.stringify(id)).join(', ')}];`);
      continue;
    }
    const parents = entity.memberOf.length === 0 ? '' : ` in [${entity.memberOf.map(local).join(', ')}]`;
    const shape = entity.attrs.length === 0 ? '' : ` = ${recordText(entity.attrs)}`;
    const tags = entity.tags === undefined ? '' : ` tags ${typeText(entity.tags)}`;
    lines.push(`entity ${entity.local}${parents}${shape}${tags};`);
  }
  for (const action of schema.actions) {
    const parents = action.memberOf.length === 0 ? '' : ` in [${action.memberOf.map((id) => JSON.stringify(id)).join(', ')}]`;
    const applies =
      action.appliesTo === undefined
        ? ''
        : ` appliesTo { principal: [${action.appliesTo.principals.map(local).join(', ')}], resource: [${action.appliesTo.resources.map(local).join(', ')}], context: ${recordText(action.appliesTo.context)} }`;
    lines.push(`action ${JSON.stringify(action.id)}${parents}${applies};`);
  }
  if (schema.namespace === '') return `${lines.join('\n')}\n`;
  return `namespace ${schema.namespace} {\n${lines.map((line) => `  ${line}`).join('\n')}\n}\n`;
}

function local(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1);
}

function recordText(attrs: readonly AttrModel[]): string {
  return `{ ${attrs.map((attr) => `${JSON.stringify(attr.name)}${attr.required ? '' : '?'}: ${typeText(attr.type)}`).join(', ')} }`;
}

function typeText(type: TypeModel): string {
  switch (type.kind) {
    case 'Long':
    case 'String':
      return type.kind;
    case 'Bool':
      return 'Bool';
    case 'Entity':
      return local(type.name);
    case 'Set':
      return `Set<${typeText(type.element)}>`;
    case 'Record':
      return recordText(type.attrs);
    case 'Ext':
      return type.name;
    case 'Common':
      return type.name;
  }
}

export function schemaJson(schema: SchemaModel): Record<string, unknown> {
  const commonTypes = Object.fromEntries(schema.commonTypes.map((common) => [common.name, typeJson(common.type)]));
  const entityTypes = Object.fromEntries(
    schema.entityTypes.map((entity) => {
      if (entity.enumIds !== undefined) return [entity.local, { enum: entity.enumIds }];
      const body: Record<string, unknown> = { memberOfTypes: entity.memberOf.map(local), shape: recordJson(entity.attrs) };
      if (entity.tags !== undefined) body.tags = typeJson(entity.tags);
      return [entity.local, body];
    }),
  );
  const actions = Object.fromEntries(
    schema.actions.map((action) => {
      const body: Record<string, unknown> = { memberOf: action.memberOf.map((id) => ({ id })) };
      if (action.appliesTo !== undefined)
        body.appliesTo = { principalTypes: action.appliesTo.principals.map(local), resourceTypes: action.appliesTo.resources.map(local), context: recordJson(action.appliesTo.context) };
      return [action.id, body];
    }),
  );
  return { [schema.namespace]: { commonTypes, entityTypes, actions } };
}

function recordJson(attrs: readonly AttrModel[]): Record<string, unknown> {
  return { type: 'Record', attributes: Object.fromEntries(attrs.map((attr) => [attr.name, attr.required ? typeJson(attr.type) : { ...typeJson(attr.type), required: false }])) };
}

function typeJson(type: TypeModel): Record<string, unknown> {
  switch (type.kind) {
    case 'Long':
    case 'String':
      return { type: type.kind };
    case 'Bool':
      return { type: 'Boolean' };
    case 'Entity':
      return { type: 'Entity', name: local(type.name) };
    case 'Set':
      return { type: 'Set', element: typeJson(type.element) };
    case 'Record':
      return recordJson(type.attrs);
    case 'Ext':
      return { type: 'Extension', name: type.name };
    case 'Common':
      return { type: type.name };
  }
}
