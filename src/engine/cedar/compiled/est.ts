// The policy AST Tenet's compiled evaluator works from: Cedar's JSON policy format ("EST", as
// cedar-wasm's policyToJson prints it), except that integer literals are exact `bigint`s. We parse
// Cedar text ourselves (parser/) because policyToJson hands numbers back as JS doubles, which
// silently corrupts Long literals above 2^53 — exactly the overflow corners Cedar defines.

export interface EntityUidLiteral {
  readonly type: string;
  readonly id: string;
}

export type SlotId = '?principal' | '?resource';

export type PrincipalOrResourceConstraint =
  | { readonly op: 'All' }
  | { readonly op: '=='; readonly entity: EntityUidLiteral }
  | { readonly op: '=='; readonly slot: SlotId }
  | { readonly op: 'in'; readonly entity: EntityUidLiteral }
  | { readonly op: 'in'; readonly slot: SlotId }
  | { readonly op: 'is'; readonly entity_type: string; readonly in?: { readonly entity: EntityUidLiteral } | { readonly slot: SlotId } };

export type ActionConstraint =
  | { readonly op: 'All' }
  | { readonly op: '=='; readonly entity: EntityUidLiteral }
  | { readonly op: 'in'; readonly entity: EntityUidLiteral }
  | { readonly op: 'in'; readonly entities: readonly EntityUidLiteral[] };

/** A literal: `Value` in the EST. Entity literals use the `__entity` escape. */
export type LiteralValue = boolean | bigint | string | { readonly __entity: EntityUidLiteral };

export type PatternElement = 'Wildcard' | { readonly Literal: string };

export type BinaryOperator = '==' | '!=' | 'in' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '+' | '-' | '*' | 'contains' | 'containsAll' | 'containsAny' | 'getTag' | 'hasTag';

export type Var = 'principal' | 'action' | 'resource' | 'context';

/**
 * An expression. Exactly one key per object, as in Cedar's JSON format:
 * - `{Value: lit}`, `{Var: v}`, `{Slot: s}`
 * - `{"!": {arg}}`, `{neg: {arg}}`, `{isEmpty: {arg}}`
 * - `{[op]: {left, right}}` for every BinaryOperator
 * - `{".": {left, attr}}`, `{has: {left, attr}}` (attr: a string, or a path for `e has a.b`)
 * - `{like: {left, pattern}}`, `{is: {left, entity_type, in?}}`
 * - `{"if-then-else": {if, then, else}}`, `{Set: [..]}`, `{Record: {k: e}}`
 * - `{[extensionFunctionOrMethod]: [args]}` — methods take the receiver as the first argument
 */
export type Expr =
  | { readonly Value: LiteralValue }
  | { readonly Var: Var }
  | { readonly Slot: SlotId }
  | { readonly '!': { readonly arg: Expr } }
  | { readonly neg: { readonly arg: Expr } }
  | { readonly isEmpty: { readonly arg: Expr } }
  | BinaryExpr
  | { readonly '.': { readonly left: Expr; readonly attr: string } }
  | { readonly has: { readonly left: Expr; readonly attr: string | readonly string[] } }
  | { readonly like: { readonly left: Expr; readonly pattern: readonly PatternElement[] } }
  | { readonly is: { readonly left: Expr; readonly entity_type: string; readonly in?: Expr } }
  | { readonly 'if-then-else': { readonly if: Expr; readonly then: Expr; readonly else: Expr } }
  | { readonly Set: readonly Expr[] }
  | { readonly Record: { readonly [key: string]: Expr } }
  | { readonly [extensionCall: string]: readonly Expr[] };

/** Operands of a binary operator node. An interface (not an inline type) so `Expr` may recurse through it. */
export interface BinaryOperands {
  readonly left: Expr;
  readonly right: Expr;
}

/** `{[op]: {left, right}}` for each BinaryOperator — one key per node, like the other variants. */
export type BinaryExpr = { readonly [K in BinaryOperator]: { readonly [P in K]: BinaryOperands } }[BinaryOperator];

export interface Condition {
  readonly kind: 'when' | 'unless';
  readonly body: Expr;
}

/** One policy or template as parsed from text. */
export interface PolicyAst {
  readonly effect: 'permit' | 'forbid';
  readonly principal: PrincipalOrResourceConstraint;
  readonly action: ActionConstraint;
  readonly resource: PrincipalOrResourceConstraint;
  readonly conditions: readonly Condition[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** Where a policy came from in its source text (1-based line and column). */
export interface SourceSpan {
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
}

export interface ParsedPolicy {
  /** `@id` annotation, else Cedar's default `policyN` (N = position in the text), else the template id. */
  readonly id: string;
  readonly ast: PolicyAst;
  /** True when the policy has slots (`?principal`, `?resource`). */
  readonly isTemplate: boolean;
  readonly span: SourceSpan;
  /** The policy's own source text. */
  readonly text: string;
}

/** A template linked to entity values for its slots (Cedar's template-linked policy). */
export interface TemplateLink {
  readonly templateId: string;
  readonly newId: string;
  readonly values: Readonly<Partial<Record<SlotId, EntityUidLiteral>>>;
}
