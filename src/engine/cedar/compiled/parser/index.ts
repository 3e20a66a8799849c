// Cedar policy text → Tenet's policy AST (the EST with exact bigint literals). A hand-written
// lexer and recursive-descent parser, differentially tested against cedar-wasm's policyToJson.

export { ID_ANNOTATION, parsePolicySet } from './parse-policy.js';
export { MAX_EXPRESSION_NESTING } from './parse-expr.js';
