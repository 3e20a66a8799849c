// Recursive descent over Cedar expressions, producing the EST exactly as cedar-wasm's policyToJson
// does (integer literals as bigint). The grammar is cedar-policy-core's grammar.lalrpop:
//
//   Expr     := Or | 'if' Expr 'then' Expr 'else' Expr
//   Or       := And {'||' And}                         (left-associative)
//   And      := Relation {'&&' Relation}
//   Relation := Add [RelOp Add] | Add 'has' (IDENT {'.' IDENT} | STR) | Add 'like' STR
//             | Add 'is' Name ['in' Add]                (non-associative: `a < b < c` is an error)
//   Add      := Mult {('+' | '-') Mult}
//   Mult     := Unary {'*' Unary}                       (`/` and `%` are reserved, always errors)
//   Unary    := ['!'{1..4} | '-'{1..4}] Member          (`!-x` needs parentheses: `!(-x)`)
//   Member   := Primary {'.' IDENT ['(' Args ')'] | '[' STR ']'}
//   Primary  := literal | Name '::' STR | Name '(' Args ')' | Var | Slot | '(' Expr ')'
//             | '[' Args ']' | '{' RecInits '}'
//
// plus the checks Cedar performs when it turns its CST into an AST (reserved identifiers, known
// functions and methods, literal ranges), so that text Cedar rejects is rejected here too.

import type { BinaryOperator, EntityUidLiteral, Expr, SlotId, Var } from '../est.js';
import { LONG_MAX } from '../value.js';
import type { TokenCursor } from './cursor.js';
import { CedarSyntaxError, failAt, unexpectedToken } from './errors.js';
import { BUILTIN_METHODS, EXTENSION_FUNCTIONS, EXTENSION_METHODS, isMethodName } from './functions.js';
import { EscapeError, unescapePattern, unescapeString } from './strings.js';
import { CEDAR_RESERVED_NAMESPACE, RESERVED_IDENTIFIERS, type Token } from './tokens.js';

/** Where the expression stands: template slots are legal only in the policy scope. */
export type ExpressionPlace = 'scope' | 'condition';

/**
 * How deeply expressions may nest (parentheses, sets, records, calls, `if`). Cedar has no stated
 * limit, but cedar-wasm 4.13 crashes ("memory access out of bounds") at about 140 nested
 * parentheses, so no policy Cedar accepts comes near this; the bound keeps hostile input from
 * exhausting the JavaScript stack here or in the compiler downstream.
 */
export const MAX_EXPRESSION_NESTING = 200;

/** Cedar limits a run of the same unary operator to four (grammar.lalrpop, `Unary`). */
const MAX_UNARY_REPEAT = 4;

const VARIABLES: ReadonlySet<string> = new Set<Var>(['principal', 'action', 'resource', 'context']);
const RELATIONAL_OPERATORS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Tokens that would continue an `Add` — after `has`/`like`/`is` operands they mean "not a plain name or literal". */
const ADD_CONTINUATIONS: ReadonlySet<string> = new Set(['.', '(', '[', '+', '-', '*', '/', '%', '::']);

/** A digit run not yet known to be negated: `-9223372036854775808` is valid, its positive twin is not. */
class UnsignedLiteral {
  constructor(
    readonly magnitude: bigint,
    readonly token: Token,
  ) {}
}

export class ExpressionParser {
  private depth = 0;

  constructor(
    private readonly cursor: TokenCursor,
    private readonly place: ExpressionPlace,
  ) {}

  parseExpr(): Expr {
    if (++this.depth > MAX_EXPRESSION_NESTING) failAt(this.cursor.peek(), `expression nested more than ${MAX_EXPRESSION_NESTING} levels deep`);
    let expr: Expr;
    if (this.cursor.isWord('if')) {
      this.cursor.next();
      const condition = this.parseExpr();
      this.expectWord('then');
      const then = this.parseExpr();
      this.expectWord('else');
      expr = { 'if-then-else': { if: condition, then, else: this.parseExpr() } };
    } else {
      expr = this.parseOr();
    }
    this.depth--;
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.cursor.eatPunct('||')) left = binary('||', left, this.parseAnd());
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseRelation();
    while (this.cursor.eatPunct('&&')) left = binary('&&', left, this.parseRelation());
    return left;
  }

  private parseRelation(): Expr {
    const left = this.parseAdd();
    const token = this.cursor.peek();
    if (token.kind === 'ident') {
      if (token.text === 'has') {
        this.cursor.next();
        return { has: { left, attr: this.parseHasAttribute() } };
      }
      if (token.text === 'like') {
        this.cursor.next();
        return { like: { left, pattern: this.parsePattern() } };
      }
      if (token.text === 'is') {
        this.cursor.next();
        const entityType = parseEntityTypeName(this.cursor);
        if (!this.cursor.isWord('in')) return { is: { left, entity_type: entityType } };
        this.cursor.next();
        return { is: { left, entity_type: entityType, in: this.parseAdd() } };
      }
    }
    const operator = relationalOperator(token);
    if (operator === undefined) return left;
    this.cursor.next();
    const right = this.parseAdd();
    if (relationalOperator(this.cursor.peek()) !== undefined) {
      failAt(this.cursor.peek(), 'multiple relational operators (>, ==, in, etc.) must be used with parentheses to make ordering explicit');
    }
    return binary(operator, left, right);
  }

  private parseAdd(): Expr {
    let left = this.parseMult();
    while (this.cursor.isPunct('+') || this.cursor.isPunct('-')) {
      const operator = this.cursor.next().text as '+' | '-';
      left = binary(operator, left, this.parseMult());
    }
    return left;
  }

  private parseMult(): Expr {
    let left = this.parseUnary();
    while (true) {
      const token = this.cursor.peek();
      if (token.kind !== 'punct') return left;
      if (token.text === '/') failAt(token, 'division is not supported');
      if (token.text === '%') failAt(token, 'remainder/modulo is not supported');
      if (token.text !== '*') return left;
      this.cursor.next();
      left = binary('*', left, this.parseUnary());
    }
  }

  private parseUnary(): Expr {
    const first = this.cursor.peek();
    if (first.kind !== 'punct' || (first.text !== '!' && first.text !== '-')) return toExpr(this.parseMember());
    let count = 0;
    while (this.cursor.isPunct(first.text)) {
      this.cursor.next();
      count++;
    }
    if (count > MAX_UNARY_REPEAT) failAt(first, `too many occurrences of \`${first.text}\``);
    const operand = this.parseMember();
    if (first.text === '!') {
      let expr = toExpr(operand);
      for (let index = 0; index < count; index++) expr = { '!': { arg: expr } };
      return expr;
    }
    // Cedar folds the innermost `-` into a bare integer literal (`-1` is `{Value: -1}`, `--1` is
    // `neg(-1)`), but not into a parenthesised or accessed one (`-(1)`, `-1.a`): cst_to_ast.rs.
    let expr: Expr;
    let remaining = count;
    if (operand instanceof UnsignedLiteral) {
      if (operand.magnitude > LONG_MAX + 1n) failAt(operand.token, `integer literal \`${operand.token.text}\` is too large`);
      expr = { Value: -operand.magnitude };
      remaining--;
    } else {
      expr = operand;
    }
    for (let index = 0; index < remaining; index++) expr = { neg: { arg: expr } };
    return expr;
  }

  private parseMember(): Expr | UnsignedLiteral {
    const primary = this.parsePrimary();
    if (primary instanceof UnsignedLiteral && !this.isMemberAccess()) return primary;
    let expr = toExpr(primary);
    while (true) {
      if (this.cursor.isPunct('.')) {
        this.cursor.next();
        const name = this.cursor.expectIdent();
        if (this.cursor.isPunct('(')) {
          expr = this.methodCall(expr, name, this.parseArguments());
        } else {
          expr = { '.': { left: expr, attr: checkAttributeName(name) } };
        }
      } else if (this.cursor.isPunct('[')) {
        this.cursor.next();
        const index = this.cursor.peek();
        // Cedar requires a string literal here, not an expression that evaluates to one.
        if (index.kind !== 'string' || !this.cursor.isPunct(']', 1)) failAt(index, 'the index in `[…]` must be a string literal');
        this.cursor.next();
        this.cursor.next();
        expr = { '.': { left: expr, attr: unescapeToken(index) } };
      } else if (this.cursor.isPunct('(')) {
        failAt(this.cursor.peek(), 'function calls must be of the form `<name>(arg1, arg2, ...)`');
      } else {
        return expr;
      }
    }
  }

  private isMemberAccess(): boolean {
    return this.cursor.isPunct('.') || this.cursor.isPunct('[') || this.cursor.isPunct('(');
  }

  private parsePrimary(): Expr | UnsignedLiteral {
    const token = this.cursor.peek();
    switch (token.kind) {
      case 'number':
        this.cursor.next();
        return new UnsignedLiteral(BigInt(token.text), token);
      case 'string':
        this.cursor.next();
        return { Value: unescapeToken(token) };
      case 'slot':
        this.cursor.next();
        return { Slot: this.checkSlot(token) };
      case 'ident':
        return this.parseIdentifierPrimary();
      case 'punct':
        if (token.text === '(') {
          this.cursor.next();
          const inner = this.parseExpr();
          this.cursor.expectPunct(')');
          return inner;
        }
        if (token.text === '[') {
          this.cursor.next();
          return { Set: this.parseList(']') };
        }
        if (token.text === '{') return this.parseRecord();
        return unexpectedToken(token);
      default:
        return unexpectedToken(token);
    }
  }

  /** `true`, `false`, a variable, an entity literal `A::B::"id"`, or a function call `f(…)`. */
  private parseIdentifierPrimary(): Expr {
    const first = this.cursor.next();
    if (first.text === 'true' || first.text === 'false') return { Value: first.text === 'true' };
    if (first.text === 'if') failAt(first, 'unexpected token `if`: an if-then-else must be parenthesised here');
    const path: Token[] = [first];
    while (this.cursor.isPunct('::') && this.cursor.peek(1).kind === 'ident') {
      this.cursor.next();
      path.push(this.cursor.next());
    }
    if (this.cursor.isPunct('::')) {
      this.cursor.next();
      const id = this.cursor.peek();
      if (id.kind === 'string') {
        this.cursor.next();
        return { Value: { __entity: { type: checkName(path), id: unescapeToken(id) } } };
      }
      if (id.kind === 'punct' && id.text === '{') failAt(id, 'entity references of the form `Type::{…}` are not supported');
      return unexpectedToken(id);
    }
    if (this.cursor.isPunct('(')) {
      const name = path.map((segment) => segment.text).join('::');
      if (!EXTENSION_FUNCTIONS.has(name)) {
        failAt(first, isMethodName(name) ? `\`${name}\` is a method, not a function` : `\`${name}\` is not a valid function`);
      }
      return { [name]: this.parseArguments() };
    }
    if (path.length > 1) failAt(first, `\`${path.map((segment) => segment.text).join('::')}\` is not a valid expression: an entity literal needs \`::"id"\``);
    if (!VARIABLES.has(first.text)) failAt(first, `invalid variable: ${first.text}`);
    return { Var: first.text as Var };
  }

  private checkSlot(token: Token): SlotId {
    if (this.place === 'condition') failAt(token, `found template slot ${token.text} in a condition: slots may appear only in the policy scope`);
    if (token.text !== '?principal' && token.text !== '?resource') failAt(token, `invalid template slot ${token.text}: the slots are ?principal and ?resource`);
    return token.text;
  }

  private methodCall(receiver: Expr, name: Token, args: Expr[]): Expr {
    const builtin = Object.hasOwn(BUILTIN_METHODS, name.text) ? BUILTIN_METHODS[name.text] : undefined;
    if (builtin !== undefined) {
      if (args.length !== builtin.arity) {
        const plural = (count: number): string => `${count} argument${count === 1 ? '' : 's'}`;
        failAt(name, `call to \`${name.text}\` requires exactly ${plural(builtin.arity)}, but got ${plural(args.length)}`);
      }
      if (builtin.op === 'isEmpty') return { isEmpty: { arg: receiver } };
      return binary(builtin.op as BinaryOperator, receiver, args[0]!);
    }
    if (EXTENSION_METHODS.has(name.text)) return { [name.text]: [receiver, ...args] };
    failAt(name, EXTENSION_FUNCTIONS.has(name.text) ? `\`${name.text}\` is a function, not a method` : `\`${name.text}\` is not a valid method`);
  }

  private parseArguments(): Expr[] {
    this.cursor.expectPunct('(');
    return this.parseList(')');
  }

  /** `Comma<Expr>` up to `close`: elements separated by commas, one trailing comma allowed. */
  private parseList(close: string): Expr[] {
    const items: Expr[] = [];
    while (!this.cursor.eatPunct(close)) {
      items.push(this.parseExpr());
      if (!this.cursor.eatPunct(',')) {
        this.cursor.expectPunct(close);
        break;
      }
    }
    return items;
  }

  /** `{key: value, …}` with identifier or string keys; a repeated key is an error. */
  private parseRecord(): Expr {
    this.cursor.expectPunct('{');
    const fields: Record<string, Expr> = {};
    while (!this.cursor.eatPunct('}')) {
      const keyToken = this.cursor.peek();
      let key: string;
      if (keyToken.kind === 'string' && this.cursor.isPunct(':', 1)) key = unescapeToken(keyToken);
      else if (keyToken.kind === 'ident' && this.cursor.isPunct(':', 1)) key = checkAttributeName(keyToken);
      else failAt(keyToken, `invalid attribute name in record literal: ${keyToken.kind === 'eof' ? 'end of input' : keyToken.text}`);
      this.cursor.next();
      this.cursor.next();
      if (Object.hasOwn(fields, key)) failAt(keyToken, `duplicate key \`${key}\` in record literal`);
      defineField(fields, key, this.parseExpr());
      if (!this.cursor.eatPunct(',')) {
        this.cursor.expectPunct('}');
        break;
      }
    }
    return { Record: fields };
  }

  /** `has` takes an identifier, a dotted path of identifiers (Cedar RFC 62), or a string. */
  private parseHasAttribute(): string | string[] {
    const first = this.cursor.peek();
    let attr: string | string[];
    if (first.kind === 'string') {
      this.cursor.next();
      attr = unescapeToken(first);
    } else if (first.kind === 'ident') {
      const path = [checkAttributeName(this.cursor.next())];
      while (this.cursor.isPunct('.') && this.cursor.peek(1).kind === 'ident') {
        this.cursor.next();
        path.push(checkAttributeName(this.cursor.next()));
      }
      attr = path.length === 1 ? path[0]! : path;
    } else {
      return failAt(first, 'invalid RHS of a `has` operation: expected an attribute name or a string literal');
    }
    if (this.continuesAdd()) failAt(this.cursor.peek(), 'invalid RHS of a `has` operation: expected an attribute name, a path of names, or a string literal');
    return attr;
  }

  private parsePattern(): ReturnType<typeof unescapePattern> {
    const token = this.cursor.peek();
    if (token.kind !== 'string') failAt(token, 'right hand side of a `like` expression must be a pattern literal');
    this.cursor.next();
    if (this.continuesAdd()) failAt(this.cursor.peek(), 'right hand side of a `like` expression must be a pattern literal');
    return unescapeBody(token, unescapePattern);
  }

  private continuesAdd(): boolean {
    const token = this.cursor.peek();
    return token.kind === 'punct' && ADD_CONTINUATIONS.has(token.text);
  }

  private expectWord(word: string): void {
    if (!this.cursor.isWord(word)) unexpectedToken(this.cursor.peek(), `\`${word}\``);
    this.cursor.next();
  }
}

/** `Name` as the right side of `is`: `A` or `A::B::C`, not followed by anything that makes it an expression. */
export function parseEntityTypeName(cursor: TokenCursor): string {
  const path = [cursor.expectIdent()];
  while (cursor.isPunct('::') && cursor.peek(1).kind === 'ident') {
    cursor.next();
    path.push(cursor.next());
  }
  const next = cursor.peek();
  if (next.kind === 'punct' && ADD_CONTINUATIONS.has(next.text)) {
    failAt(next, 'right hand side of an `is` expression must be an entity type name');
  }
  return checkName(path);
}

/** An entity uid literal `A::B::"id"` (used by the scope parser). */
export function entityLiteral(expr: Expr): EntityUidLiteral | undefined {
  // `'Value' in expr` cannot narrow fully: the extension-call variant has an index signature.
  if (!('Value' in expr)) return undefined;
  const value: unknown = expr.Value;
  if (typeof value !== 'object' || value === null || !('__entity' in value)) return undefined;
  return (value as { readonly __entity: EntityUidLiteral }).__entity;
}

function relationalOperator(token: Token): BinaryOperator | undefined {
  if (token.kind === 'ident') return token.text === 'in' ? 'in' : undefined;
  if (token.kind !== 'punct') return undefined;
  if (token.text === '=') failAt(token, "'=' is not a valid operator in Cedar (use `==`)");
  return RELATIONAL_OPERATORS.has(token.text) ? (token.text as BinaryOperator) : undefined;
}

function toExpr(operand: Expr | UnsignedLiteral): Expr {
  if (!(operand instanceof UnsignedLiteral)) return operand;
  if (operand.magnitude > LONG_MAX) failAt(operand.token, `integer literal \`${operand.token.text}\` is too large`);
  return { Value: operand.magnitude };
}

function binary(operator: BinaryOperator, left: Expr, right: Expr): Expr {
  return { [operator]: { left, right } } as Expr;
}

/** Attribute names after `.` or `has`, and identifier record keys: reserved words are rejected. */
function checkAttributeName(token: Token): string {
  if (RESERVED_IDENTIFIERS.has(token.text)) failAt(token, `this identifier is reserved and cannot be used: ${token.text}`);
  if (token.text === CEDAR_RESERVED_NAMESPACE) failAt(token, `the name \`${token.text}\` contains \`__cedar\`, which is reserved`);
  return token.text;
}

/** A `::`-separated name (entity type, function): no reserved words, no `__cedar` component. */
function checkName(path: readonly Token[]): string {
  const name = path.map((segment) => segment.text).join('::');
  for (const segment of path) {
    if (RESERVED_IDENTIFIERS.has(segment.text)) failAt(segment, `this identifier is reserved and cannot be used: ${segment.text}`);
    if (segment.text === CEDAR_RESERVED_NAMESPACE) failAt(segment, `the name \`${name}\` contains \`__cedar\`, which is reserved`);
  }
  return name;
}

/** Own enumerable property even for keys like `__proto__`, which plain assignment would swallow. */
export function defineField<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function unescapeToken(token: Token): string {
  return unescapeBody(token, unescapeString);
}

function unescapeBody<T>(token: Token, unescape: (body: string) => T): T {
  try {
    return unescape(token.text.slice(1, -1));
  } catch (error) {
    if (error instanceof EscapeError) throw new CedarSyntaxError(error.message, token.offset + 1 + error.index);
    throw error;
  }
}
