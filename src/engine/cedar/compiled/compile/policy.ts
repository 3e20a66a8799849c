// Compiles one static policy, or one template linked to its slot values, into a scope (three
// tests the scope index can bucket) and a condition closure. Cedar evaluates a policy as
// `scope && when₁ && !unless₁ && …` left to right, short-circuiting, and every condition body must
// evaluate to a bool (https://docs.cedarpolicy.com/policies/syntax-policy.html#term-policy-condition).
import type { PolicyAst, SlotId } from '../est.js';
import type { EntityUid } from '../value.js';
import type { EvalEnv, Evaluate } from './env.js';
import { compileExpression } from './expression.js';
import { typeError } from './runtime-errors.js';
import { actionTest, principalOrResourceTest, type ScopeTest } from './scope.js';

export interface CompiledPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly principal: ScopeTest;
  readonly action: ScopeTest;
  readonly resource: ScopeTest;
  /** The conditions; throws CedarEvaluationError when the policy errors. */
  readonly condition: (env: EvalEnv) => boolean;
}

const ALWAYS = (): boolean => true;
const NEVER = (): boolean => false;

export function compilePolicy(id: string, ast: PolicyAst, slots: Readonly<Partial<Record<SlotId, EntityUid>>> = {}): CompiledPolicy {
  const where = `policy ${JSON.stringify(id)}`;
  const context = { slots, where };
  const steps: ((env: EvalEnv) => boolean)[] = [];
  for (const condition of ast.conditions) {
    const compiled = compileExpression(condition.body, context);
    const negate = condition.kind === 'unless';
    if (compiled.constant && typeof compiled.value === 'boolean') {
      if (compiled.value !== negate) continue; // always satisfied: drop the step
      steps.push(NEVER);
      break; // later conditions are never evaluated
    }
    steps.push(conditionStep(compiled.constant ? () => compiled.value : compiled.run, negate));
  }
  return {
    id,
    effect: ast.effect,
    principal: principalOrResourceTest(ast.principal, slots, where),
    action: actionTest(ast.action),
    resource: principalOrResourceTest(ast.resource, slots, where),
    condition: conjunction(steps),
  };
}

function conditionStep(run: Evaluate, negate: boolean): (env: EvalEnv) => boolean {
  return (env) => {
    const value = run(env);
    if (typeof value !== 'boolean') throw typeError('bool', value);
    return value !== negate;
  };
}

function conjunction(steps: readonly ((env: EvalEnv) => boolean)[]): (env: EvalEnv) => boolean {
  const [first, second] = steps;
  if (first === undefined) return ALWAYS;
  if (second === undefined) return first;
  return (env) => {
    for (const step of steps) if (!step(env)) return false;
    return true;
  };
}
