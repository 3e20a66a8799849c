// Compiles one static policy, or one template linked to its slot values, into a scope (three
// tests the scope index can bucket) and a condition closure. Cedar evaluates a policy as
// `scope && when₁ && !unless₁ && …` left to right, short-circuiting, and every condition body must
// evaluate to a bool (https://docs.cedarpolicy.com/policies/syntax-policy.html#term-policy-condition).
import type { PolicyAst, SlotId } from '../est.js';
import type { EntityUid } from '../value.js';
import { chainOperands } from './boolean-chain.js';
import { runner, type EvalEnv, type Evaluate } from './env.js';
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

/**
 * The conditions as one list of steps: each `when` body split into its `&&` operands (the same
 * operands, order and errors: boolean-chain.ts), each `unless` body one negated step. A step's
 * value must be a bool (else a type error: the policy errors); the policy fails at the first step
 * that is false (`when`) or true (`unless`), and later steps are not evaluated.
 */
export function compilePolicy(id: string, ast: PolicyAst, slots: Readonly<Partial<Record<SlotId, EntityUid>>> = {}): CompiledPolicy {
  const where = `policy ${JSON.stringify(id)}`;
  const context = { slots, where };
  const runs: Evaluate[] = [];
  const fails: boolean[] = [];
  let never = false;
  steps: for (const condition of ast.conditions) {
    const negate = condition.kind === 'unless';
    const bodies = negate ? [condition.body] : chainOperands(condition.body, '&&');
    for (const body of bodies) {
      const compiled = compileExpression(body, context);
      if (compiled.constant && typeof compiled.value === 'boolean') {
        if (compiled.value !== negate) continue; // always satisfied: drop the step
        if (runs.length === 0) never = true;
        else {
          runs.push(runner(compiled));
          fails.push(negate);
        }
        break steps; // later steps are never evaluated
      }
      runs.push(runner(compiled));
      fails.push(negate);
    }
  }
  return {
    id,
    effect: ast.effect,
    principal: principalOrResourceTest(ast.principal, slots, where),
    action: actionTest(ast.action),
    resource: principalOrResourceTest(ast.resource, slots, where),
    condition: never ? NEVER : conjunction(runs, fails),
  };
}

function conjunction(runs: readonly Evaluate[], fails: readonly boolean[]): (env: EvalEnv) => boolean {
  if (runs.length === 0) return ALWAYS;
  if (runs.length === 1) {
    const run = runs[0] as Evaluate;
    const fail = fails[0] as boolean;
    return (env) => {
      const value = run(env);
      if (typeof value !== 'boolean') throw typeError('bool', value);
      return value !== fail;
    };
  }
  return (env) => {
    for (let i = 0; i < runs.length; i++) {
      const value = (runs[i] as Evaluate)(env);
      if (typeof value !== 'boolean') throw typeError('bool', value);
      if (value === fails[i]) return false;
    }
    return true;
  };
}
