// Cedar entity type names as they may appear in JSON: `Namespace::Type`, normalized (no
// whitespace), each segment an identifier that is not a reserved word, and no `__cedar` segment
// (https://docs.cedarpolicy.com/policies/syntax-grammar.html#grammar-name; reserved words checked
// against cedar-wasm 4.13: `principal`, `action`… are allowed as type names, `if`, `in`, `has`… not).
const IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'is', 'like', 'has', '__cedar']);

export function isEntityTypeName(name: string): boolean {
  return name.split('::').every((segment) => IDENTIFIER.test(segment) && !RESERVED.has(segment));
}
