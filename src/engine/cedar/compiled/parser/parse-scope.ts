// The policy scope `(principal …, action …, resource …)`. Cedar's grammar reads each element as
// `Variable [':' Name] ['is' Name] [RelOp Expr]` and then narrows it (cst_to_ast.rs): the three
// variables in order, `==`/`in` against an entity literal or the matching slot, `is` with an
// optional `in`, and for `action` a literal or a list of literals whose type is `Action`
// (`Action` or `…::Action`). A one-element action list collapses to a single entity, as in
// policyToJson's output.

import type { ActionConstraint, EntityUidLiteral, Expr, PrincipalOrResourceConstraint, SlotId } from '../est.js';
import type { TokenCursor } from './cursor.js';
import { failAt, unexpectedToken } from './errors.js';
import { ExpressionParser, entityLiteral, parseEntityTypeName } from './parse-expr.js';
import type { Token } from './tokens.js';

export interface Scope {
  readonly principal: PrincipalOrResourceConstraint;
  readonly action: ActionConstraint;
  readonly resource: PrincipalOrResourceConstraint;
}

const VARIABLE_ORDER = ['principal', 'action', 'resource'] as const;
type ScopeVariable = (typeof VARIABLE_ORDER)[number];

/** One scope element before it is narrowed: `variable [is Type] [op expr]`. */
interface ScopeElement {
  readonly variable: Token;
  readonly isType?: { readonly token: Token; readonly name: string };
  readonly relation?: { readonly token: Token; readonly operator: '==' | 'in'; readonly expr: Expr; readonly start: Token };
}

/** Parses `( … )` of a policy head, the cursor standing on `(`. */
export function parseScope(cursor: TokenCursor): Scope {
  const open = cursor.expectPunct('(');
  const elements: ScopeElement[] = [];
  while (!cursor.eatPunct(')')) {
    elements.push(parseElement(cursor));
    if (!cursor.eatPunct(',')) {
      cursor.expectPunct(')');
      break;
    }
  }
  const byVariable = new Map<ScopeVariable, ScopeElement>();
  for (const [index, element] of elements.entries()) {
    const expected = VARIABLE_ORDER[index];
    if (expected === undefined) failAt(element.variable, `this policy has an extra element in the scope: ${element.variable.text}`);
    if (element.variable.text !== expected) failAt(element.variable, `found the variable \`${element.variable.text}\` where the variable \`${expected}\` must be used`);
    byVariable.set(expected, element);
  }
  const missing = VARIABLE_ORDER.find((variable) => !byVariable.has(variable));
  if (missing !== undefined) failAt(open, `this policy is missing the \`${missing}\` variable in the scope`);
  return {
    principal: principalOrResource(byVariable.get('principal')!, '?principal'),
    action: actionConstraint(byVariable.get('action')!),
    resource: principalOrResource(byVariable.get('resource')!, '?resource'),
  };
}

function parseElement(cursor: TokenCursor): ScopeElement {
  const variable = cursor.expectIdent();
  if (cursor.isPunct(':')) failAt(cursor.peek(), 'type constraints using `:` are not supported');
  let isType: ScopeElement['isType'];
  if (cursor.isWord('is')) {
    const token = cursor.next();
    isType = { token, name: parseEntityTypeName(cursor) };
  }
  const operatorToken = cursor.peek();
  let operator: '==' | 'in' | undefined;
  if (operatorToken.kind === 'ident' && operatorToken.text === 'in') operator = 'in';
  else if (operatorToken.kind === 'punct' && operatorToken.text === '==') operator = '==';
  else if (operatorToken.kind === 'punct' && operatorToken.text === '=') failAt(operatorToken, "'=' is not a valid operator in Cedar (use `==`)");
  else if (operatorToken.kind === 'punct' && ['!=', '<', '<=', '>', '>='].includes(operatorToken.text)) {
    failAt(operatorToken, `\`${operatorToken.text}\` is not allowed in the policy scope: use \`==\` or \`in\``);
  }
  const base = isType === undefined ? { variable } : { variable, isType };
  if (operator === undefined) {
    const next = cursor.peek();
    if (!(next.kind === 'punct' && (next.text === ',' || next.text === ')'))) unexpectedToken(next);
    return base;
  }
  cursor.next();
  const start = cursor.peek();
  const expr = new ExpressionParser(cursor, 'scope').parseExpr();
  return { ...base, relation: { token: operatorToken, operator, expr, start } };
}

function principalOrResource(element: ScopeElement, slot: SlotId): PrincipalOrResourceConstraint {
  const { isType, relation } = element;
  if (isType !== undefined) {
    if (relation === undefined) return { op: 'is', entity_type: isType.name };
    if (relation.operator === '==') failAt(relation.token, '`is` cannot be used together with `==`');
    return { op: 'is', entity_type: isType.name, in: entityOrSlot(relation.expr, relation.start, slot) };
  }
  if (relation === undefined) return { op: 'All' };
  const target = entityOrSlot(relation.expr, relation.start, slot);
  return relation.operator === '==' ? { op: '==', ...target } : { op: 'in', ...target };
}

function entityOrSlot(expr: Expr, at: Token, slot: SlotId): { entity: EntityUidLiteral } | { slot: SlotId } {
  const entity = entityLiteral(expr);
  if (entity !== undefined) return { entity };
  if ('Slot' in expr) {
    if (expr.Slot !== slot) failAt(at, `expected an entity uid or matching template slot, found ${expr.Slot} instead of ${slot}`);
    return { slot };
  }
  if ('Set' in expr) failAt(at, 'expected single entity uid or template slot, found set of entity uids');
  return failAt(at, 'expected an entity uid or matching template slot');
}

function actionConstraint(element: ScopeElement): ActionConstraint {
  const { isType, relation } = element;
  if (isType !== undefined) failAt(isType.token, '`is` cannot appear in the action scope');
  if (relation === undefined) return { op: 'All' };
  const { expr, start } = relation;
  if ('Slot' in expr) failAt(start, 'template slots are not allowed in the action scope');
  const single = entityLiteral(expr);
  if (single !== undefined) {
    const entity = checkActionType(single, start);
    return relation.operator === '==' ? { op: '==', entity } : { op: 'in', entity };
  }
  if (relation.operator === '==') failAt(start, 'expected single entity uid, found a set or an expression');
  if (!('Set' in expr)) failAt(start, 'expected single entity uid or set of entity uids');
  const entities = expr.Set.map((item) => {
    const entity = entityLiteral(item);
    if (entity === undefined) failAt(start, 'expected single entity uid or set of entity uids');
    return checkActionType(entity, start);
  });
  return entities.length === 1 ? { op: 'in', entity: entities[0]! } : { op: 'in', entities };
}

function checkActionType(entity: EntityUidLiteral, at: Token): EntityUidLiteral {
  if (entity.type !== 'Action' && !entity.type.endsWith('::Action')) {
    failAt(at, `expected an entity uid with type \`Action\` but got \`${entity.type}::${JSON.stringify(entity.id)}\``);
  }
  return entity;
}
