// The resolved schema model: every type name already resolved to a fully qualified entity type, a
// primitive or an extension type, and every common type inlined (Cedar rejects cycles among common
// types, so inlining terminates). Built once by load-schema.ts; read on every parse and request.
import type { EntityUid } from '../value.js';

export type ExtensionTypeName = 'ipaddr' | 'decimal' | 'datetime' | 'duration';

export type SchemaType =
  | { readonly kind: 'String' }
  | { readonly kind: 'Long' }
  | { readonly kind: 'Boolean' }
  | { readonly kind: 'Set'; readonly element: SchemaType }
  | RecordType
  | { readonly kind: 'Entity'; readonly name: string }
  | { readonly kind: 'Extension'; readonly name: ExtensionTypeName };

export interface AttributeType {
  readonly type: SchemaType;
  readonly required: boolean;
}

/** Records are closed: Cedar 4 rejects `additionalAttributes` without the experimental `partial-validate` feature. */
export interface RecordType {
  readonly kind: 'Record';
  readonly attributes: ReadonlyMap<string, AttributeType>;
}

export interface EntityTypeSchema {
  /** Fully qualified, e.g. `NS::User`. */
  readonly name: string;
  /** Closed record of the entity's attributes (empty for an enum type). */
  readonly shape: RecordType;
  /**
   * Types an entity of this type may have as parents. INVARIANT: transitively closed (if `User in
   * [Group]` and `Group in [Org]`, a User may list an Org parent directly), as Cedar's conformance
   * checker uses `allowed_parent_types()` after closing it.
   */
  readonly allowedParentTypes: ReadonlySet<string>;
  /** Declared `tags` type; undefined when the type has no tags (then any tag is an error). */
  readonly tags: SchemaType | undefined;
  /** For an enumerated entity type (`entity Color enum ["Red"]`): the only valid ids. */
  readonly enumIds: ReadonlySet<string> | undefined;
}

export interface ActionSchema {
  readonly uid: EntityUid;
  /** Direct `memberOf` groups, resolved. */
  readonly memberOf: readonly EntityUid[];
  /** Transitive closure of memberOf (what Cedar's schema-built action entity has as ancestors). */
  readonly ancestors: ReadonlySet<EntityUid>;
  /** Principal/resource types of `appliesTo`; empty when the action has no appliesTo (it applies to nothing). */
  readonly principalTypes: ReadonlySet<string>;
  readonly resourceTypes: ReadonlySet<string>;
  /** The context record type (an empty record when the action declares none). */
  readonly context: RecordType;
}

export interface CedarSchema {
  readonly entityTypes: ReadonlyMap<string, EntityTypeSchema>;
  /** Keyed by `EntityUid.key` of the action (`NS::Action::"view"`). */
  readonly actions: ReadonlyMap<string, ActionSchema>;
  /** The schema in Cedar's JSON format (what cedar-wasm accepts), for the reference evaluator and hashing. */
  readonly json: Readonly<Record<string, unknown>>;
}

/** `Action` or `NS::Action`: Cedar treats an entity type as an action type by its last segment. */
export function isActionType(type: string): boolean {
  return type === 'Action' || type.endsWith('::Action');
}
