// Test support: run the same extension expression through cedar-wasm (the reference) and through
// EXTENSION_FUNCTIONS, and report every case whose outcome (true / false / error) differs.
// Expressions are tiny trees so that one description yields both the Cedar text and our evaluation.
import { isAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { valueEquals, type ExtensionValue, type Value } from '../../value.js';
import { EXTENSION_FUNCTIONS } from '../index.js';

/** A context input (a string, or a small Long passed as a JSON number) or an extension call. */
export type Term = { readonly input: string | number } | { readonly call: string; readonly args: readonly Term[] };

export type Check =
  | { readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: Term; readonly right: Term }
  | { readonly test: Term };

export type Outcome = 'true' | 'false' | 'error';

export interface Disagreement {
  readonly cedar: string;
  readonly inputs: Readonly<Record<string, string | number>>;
  readonly ours: Outcome;
  readonly reference: string;
}

const CONSTRUCTOR_NAMES = new Set(['ip', 'decimal', 'datetime', 'duration']);

// Term builders, so generators read like Cedar.
export const input = (value: string | number): Term => ({ input: value });
export const call = (fn: string, ...args: Term[]): Term => ({ call: fn, args });
export const ctor = (fn: 'ip' | 'decimal' | 'datetime' | 'duration', text: string): Term => call(fn, input(text));
/** A datetime term equal to `epochMs` without any literal (Cedar's own canonical form). */
export const datetimeAt = (epochMs: bigint): Term => call('offset', ctor('datetime', '1970-01-01'), ctor('duration', `${epochMs}ms`));

/** Cedar text for `check`, with inputs renamed to `context.<prefix>N`, collected into `inputs`. */
export function render(check: Check, prefix: string, inputs: Record<string, string | number>): string {
  const term = (t: Term): string => {
    if ('input' in t) {
      const name = `${prefix}${Object.keys(inputs).length}`;
      inputs[name] = t.input;
      return `context.${name}`;
    }
    const args = t.args.map(term);
    if (CONSTRUCTOR_NAMES.has(t.call) || args.length === 0) return `${t.call}(${args.join(', ')})`;
    return `${args[0]}.${t.call}(${args.slice(1).join(', ')})`;
  };
  return 'test' in check ? term(check.test) : `${term(check.left)} ${check.op} ${term(check.right)}`;
}

function evaluate(t: Term): Value {
  if ('input' in t) return typeof t.input === 'number' ? BigInt(t.input) : t.input;
  const fn = EXTENSION_FUNCTIONS.get(t.call);
  if (fn === undefined) throw new Error(`unknown extension function ${t.call}`);
  return fn(t.args.map(evaluate));
}

function compare(left: Value, right: Value): number {
  if (typeof left === 'bigint' && typeof right === 'bigint') return left < right ? -1 : left > right ? 1 : 0;
  const l = left as ExtensionValue;
  if (typeof left !== 'object' || !('extension' in left) || l.compare === undefined) throw new Error('not comparable');
  return l.compare(right as ExtensionValue);
}

/** Our outcome: a `when` body must evaluate to a boolean; anything else is an error in Cedar. */
export function ours(check: Check): Outcome {
  try {
    let result: Value;
    if ('test' in check) {
      result = evaluate(check.test);
    } else {
      const left = evaluate(check.left);
      const right = evaluate(check.right);
      switch (check.op) {
        case '==':
          result = valueEquals(left, right);
          break;
        case '!=':
          result = !valueEquals(left, right);
          break;
        case '<':
          result = compare(left, right) < 0;
          break;
        case '<=':
          result = compare(left, right) <= 0;
          break;
        case '>':
          result = compare(left, right) > 0;
          break;
        case '>=':
          result = compare(left, right) >= 0;
          break;
      }
    }
    if (typeof result !== 'boolean') return 'error';
    return result ? 'true' : 'false';
  } catch {
    return 'error';
  }
}

/** cedar-wasm's outcome for each check: one policy per check, all in one isAuthorized call. */
export function reference(checks: readonly Check[]): { cedar: string; inputs: Record<string, string | number>; outcome: Outcome; message: string }[] {
  const staticPolicies: Record<string, string> = {};
  const context: Record<string, string | number> = {};
  const rendered = checks.map((check, i) => {
    const inputs: Record<string, string | number> = {};
    const cedar = render(check, `c${i}_`, inputs);
    Object.assign(context, inputs);
    staticPolicies[`p${i}`] = `permit(principal, action, resource) when { ${cedar} };`;
    return { cedar, inputs };
  });
  const answer = isAuthorized({
    principal: { type: 'P', id: 'p' },
    action: { type: 'A', id: 'a' },
    resource: { type: 'R', id: 'r' },
    context,
    policies: { staticPolicies },
    entities: [],
  });
  if (answer.type !== 'success') throw new Error(`cedar-wasm failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  const satisfied = new Set(answer.response.diagnostics.reason);
  const errors = new Map(answer.response.diagnostics.errors.map((e) => [e.policyId, e.error.message]));
  return rendered.map(({ cedar, inputs }, i) => {
    const error = errors.get(`p${i}`);
    const outcome: Outcome = error !== undefined ? 'error' : satisfied.has(`p${i}`) ? 'true' : 'false';
    return { cedar, inputs, outcome, message: error ?? '' };
  });
}

export interface DifferentialResult {
  /** Every check whose outcome differs between cedar-wasm and EXTENSION_FUNCTIONS. */
  readonly disagreements: Disagreement[];
  /** How often cedar-wasm answered each outcome: shows the generator reaches all three. */
  readonly outcomes: Record<Outcome, number>;
}

export function differential(checks: readonly Check[], batchSize = 1000): DifferentialResult {
  const result: DifferentialResult = { disagreements: [], outcomes: { true: 0, false: 0, error: 0 } };
  for (let start = 0; start < checks.length; start += batchSize) {
    const batch = checks.slice(start, start + batchSize);
    reference(batch).forEach((ref, i) => {
      const check = batch[i];
      if (check === undefined) return;
      result.outcomes[ref.outcome] += 1;
      const mine = ours(check);
      if (mine !== ref.outcome) result.disagreements.push({ cedar: ref.cedar, inputs: ref.inputs, ours: mine, reference: `${ref.outcome} ${ref.message}`.trim() });
    });
  }
  return result;
}

/** A small seeded PRNG (mulberry32) so that every run generates the same cases. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += String(this.int(10));
    return out;
  }
}
