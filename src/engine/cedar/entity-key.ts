// One spelling for an entity reference as a map key and in `signalsUsed`: Cedar's own literal
// syntax, `User::"alice"` (the id JSON-quoted, so ids containing quotes or `::` stay unambiguous).
import type { EntityRef } from '../tuple.js';

export function entityKey(ref: EntityRef): string {
  return `${ref.type}::${JSON.stringify(ref.id)}`;
}

/** Reads a Cedar JSON entity uid in either spelling: `{type, id}` or `{"__entity": {type, id}}`. */
export function entityRefFromJson(value: unknown): EntityRef | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const inner: unknown = '__entity' in value ? value.__entity : value;
  if (typeof inner !== 'object' || inner === null || !('type' in inner) || !('id' in inner)) return undefined;
  const { type, id } = inner;
  return typeof type === 'string' && typeof id === 'string' ? { type, id } : undefined;
}
