// Policy set text → policies and templates, in text order. One policy is
//   {'@' IDENT ['(' STR ')']} ('permit' | 'forbid') '(' Scope ')' {('when' | 'unless') '{' Expr '}'} ';'
// (Cedar docs, "Grammar for Cedar syntax"). A broken policy is reported and skipped up to its `;`
// — Cedar's grammar recovers at `;` too — so one pass reports one problem per broken policy.

import type { ErrorIssue } from '../../../../errors.js';
import type { Condition, ParsedPolicy, PolicyAst } from '../est.js';
import { TokenCursor } from './cursor.js';
import { CedarSyntaxError, SourcePositions, failAt, policyInvalidError, unexpectedToken } from './errors.js';
import { Lexer } from './lexer.js';
import { ExpressionParser, defineField, unescapeToken } from './parse-expr.js';
import { parseScope } from './parse-scope.js';

/**
 * Cedar names the policies of a text `policy0`, `policy1`, … by their position among all policies
 * *and* templates (cst_to_ast.rs `with_generated_policyids`); Tenet lets an `@id("…")` annotation
 * override that. cedar-wasm itself ignores `@id`.
 */
export const ID_ANNOTATION = 'id';

/**
 * Every policy and template of `text`, in order. Throws TenetError TENET_ERR_POLICY_INVALID with
 * one issue (`file:line:column`) per broken policy, and for ids used twice.
 */
export function parsePolicySet(text: string, fileName = '<policies>'): ParsedPolicy[] {
  const cursor = new TokenCursor(new Lexer(text));
  const positions = new SourcePositions(text);
  const policies: ParsedPolicy[] = [];
  const issues: ErrorIssue[] = [];
  const idOwners = new Map<string, number>();
  let index = 0;
  while (!cursor.atEnd()) {
    const start = cursor.peek();
    const position = index++;
    try {
      const { ast, isTemplate } = parsePolicy(cursor);
      const end = cursor.previous()!.end;
      const id = ast.annotations[ID_ANNOTATION] ?? `policy${position}`;
      const earlier = idOwners.get(id);
      if (earlier !== undefined) failAt(start, `duplicate policy id \`${id}\` (also used by the policy at ${positions.location(fileName, earlier)})`);
      idOwners.set(id, start.offset);
      const { line, column } = positions.position(start.offset);
      policies.push({ id, ast, isTemplate, span: { offset: start.offset, length: end - start.offset, line, column }, text: text.slice(start.offset, end) });
    } catch (error) {
      if (!(error instanceof CedarSyntaxError)) throw error;
      issues.push({ path: positions.location(fileName, error.offset), message: error.message });
      const last = cursor.previous();
      const failedAfterSemicolon = last !== undefined && last.kind === 'punct' && last.text === ';' && last.offset >= start.offset;
      if (!failedAfterSemicolon) cursor.skipPastSemicolon();
    }
  }
  if (issues.length > 0) throw policyInvalidError(fileName, issues);
  return policies;
}

function parsePolicy(cursor: TokenCursor): { ast: PolicyAst; isTemplate: boolean } {
  const annotations = parseAnnotations(cursor);
  const effectToken = cursor.expectIdent();
  if (effectToken.text !== 'permit' && effectToken.text !== 'forbid') failAt(effectToken, `invalid policy effect: ${effectToken.text}`);
  const scope = parseScope(cursor);
  const conditions: Condition[] = [];
  while (!cursor.isPunct(';')) {
    const keyword = cursor.peek();
    if (keyword.kind !== 'ident') unexpectedToken(keyword, '`when`, `unless` or `;`');
    if (keyword.text !== 'when' && keyword.text !== 'unless') failAt(keyword, `invalid policy condition: ${keyword.text}`);
    cursor.next();
    cursor.expectPunct('{');
    if (cursor.isPunct('}')) failAt(keyword, `\`${keyword.text}\` condition clause cannot be empty`);
    const body = new ExpressionParser(cursor, 'condition').parseExpr();
    cursor.expectPunct('}');
    conditions.push({ kind: keyword.text, body });
  }
  cursor.expectPunct(';');
  const isTemplate = [scope.principal, scope.resource].some((constraint) => 'slot' in constraint || ('in' in constraint && constraint.in !== undefined && 'slot' in constraint.in));
  return { ast: { effect: effectToken.text, ...scope, conditions, annotations }, isTemplate };
}

/** `@name("value")` or `@name` (value ""); any identifier, even a reserved one, may name an annotation. */
function parseAnnotations(cursor: TokenCursor): Record<string, string> {
  const annotations: Record<string, string> = {};
  while (cursor.eatPunct('@')) {
    const key = cursor.expectIdent();
    let value = '';
    if (cursor.eatPunct('(')) {
      const literal = cursor.peek();
      if (literal.kind !== 'string') unexpectedToken(literal, 'a string literal');
      cursor.next();
      value = unescapeToken(literal);
      cursor.expectPunct(')');
    }
    if (Object.hasOwn(annotations, key.text)) failAt(key, `duplicate annotation: @${key.text}`);
    defineField(annotations, key.text, value);
  }
  return annotations;
}
