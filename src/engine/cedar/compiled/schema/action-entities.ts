// The action entities a schema defines: each declared action with its `memberOf` groups as parents.
// Cedar adds these to the entity store whenever a schema is given, so entity JSON need not (and
// usually does not) list actions. https://docs.cedarpolicy.com/schema/json-schema.html#schema-actions
import type { EntityUid, Value } from '../value.js';
import type { CedarSchema } from './types.js';

/** One entity as the entity graph is built from it: direct parents; the graph closes them transitively. */
export interface ParsedEntity {
  readonly uid: EntityUid;
  readonly attrs: ReadonlyMap<string, Value>;
  readonly tags: ReadonlyMap<string, Value>;
  readonly parents: readonly EntityUid[];
}

const NONE: ReadonlyMap<string, Value> = new Map();

/** Every action of the schema, with its direct `memberOf` groups as parents (no attributes or tags: Cedar 4 has none on actions). */
export function actionEntities(schema: CedarSchema): ParsedEntity[] {
  return [...schema.actions.values()].map((action) => ({ uid: action.uid, attrs: NONE, tags: NONE, parents: action.memberOf }));
}
