// AuthZEN 1.0 §7.1.2.1 evaluation semantics. `execute_all` decides every item; the two
// short-circuit semantics decide in array order and stop after the first deny (like `&&`) or the
// first permit (like `||`), so the response holds the items decided so far, the deciding one last.
// A step-up counts as a deny: its AuthZEN decision is false.
import type { Decision } from '../../engine/decision.js';
import type { EvaluationsSemantic } from './schema.js';

export async function runEvaluations<T>(
  items: readonly T[],
  semantic: EvaluationsSemantic,
  decideOne: (item: T) => Promise<Decision>,
): Promise<Decision[]> {
  if (semantic === 'execute_all') {
    // Items are independent (§7.1), so they may be decided concurrently.
    return Promise.all(items.map(decideOne));
  }
  const decisions: Decision[] = [];
  for (const item of items) {
    const decision = await decideOne(item);
    decisions.push(decision);
    const permitted = decision.outcome === 'allow';
    if (semantic === 'deny_on_first_deny' && !permitted) break;
    if (semantic === 'permit_on_first_permit' && permitted) break;
  }
  return decisions;
}
