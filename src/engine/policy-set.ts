// A loaded, validated policy set: everything the evaluator needs, prepared once at load so that
// decide() does no parsing. Immutable; a reload builds a new one and swaps it in atomically.
import type { PolicyEvaluator } from './cedar/evaluator.js';
import type { ScopeIndex } from './cedar/scope-index.js';
import type { CedarEntity } from './signals.js';
import type { EntityRef } from './tuple.js';

export interface PolicySource {
  /** Policy files, in the order their default ids (`policy0`, `policy1`, …) are assigned. */
  readonly policies: readonly { readonly file: string; readonly text: string }[];
  readonly schema?: { readonly file: string; readonly text: string; readonly format: 'cedar' | 'json' };
}

export interface LoadedPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  /** Where it was written: `file:line:col` of its first character. */
  readonly location: string;
  /** The policy's Cedar text, verbatim. */
  readonly text: string;
  /** Entity literals the policy names; the entity slice includes them. */
  readonly literals: readonly EntityRef[];
}

export interface PolicySet {
  /** Hex SHA-256 over the canonical policy texts and the schema: changes whenever they change meaning. */
  readonly version: string;
  /** Policy ids in source order. */
  readonly ids: readonly string[];
  readonly total: number;
  readonly policies: ReadonlyMap<string, LoadedPolicy>;
  readonly scopes: ScopeIndex;
  /** Action entities with their action-group parents, from the schema (empty without one). */
  readonly actions: ReadonlyMap<string, CedarEntity>;
  /** Whether the policies were validated against a schema (merged with Tenet's context schema). */
  readonly validated: boolean;
  readonly evaluator: PolicyEvaluator;
}
