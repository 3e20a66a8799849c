// In-memory entity lookup for the engine (EntityLookup): O(1) get by type and id, and each
// entity's transitive ancestors (Cedar's `in` hierarchy), computed once per entity and then
// served from memory. Computed on first request rather than for every entity up front: the sum
// of all closures is quadratic in the depth of the hierarchy (a 20 000-deep chain would be 200
// million references), while requests touch few entities.
import type { CedarEntity, EntityLookup } from '../../engine/signals.js';
import type { EntityRef } from '../../engine/tuple.js';

export class EntityIndex implements EntityLookup {
  // Nested maps rather than a joined string key: ids may contain any character, so no separator
  // is safe, and the two-level lookup is still O(1).
  readonly #byType = new Map<string, Map<string, CedarEntity>>();
  readonly #ancestors = new Map<CedarEntity, readonly EntityRef[]>();

  /** Builds the index. When a reference appears twice, the later entity wins (as an upsert would). */
  constructor(entities: Iterable<CedarEntity>) {
    for (const entity of entities) {
      let ids = this.#byType.get(entity.uid.type);
      if (ids === undefined) {
        ids = new Map();
        this.#byType.set(entity.uid.type, ids);
      }
      ids.set(entity.uid.id, entity);
    }
  }

  get(ref: EntityRef): CedarEntity | undefined {
    return this.#byType.get(ref.type)?.get(ref.id);
  }

  /**
   * Every entity `ref` is transitively `in` (parents, their parents, …), each once, in a
   * deterministic order; never `ref` itself. Parents missing from the index are included (Cedar treats the
   * parent list as given) but contribute no ancestors of their own. Unknown `ref`: empty.
   */
  ancestorsOf(ref: EntityRef): readonly EntityRef[] {
    const entity = this.get(ref);
    if (entity === undefined) return [];
    let ancestors = this.#ancestors.get(entity);
    if (ancestors === undefined) {
      ancestors = this.#computeAncestors(entity);
      this.#ancestors.set(entity, ancestors);
    }
    return ancestors;
  }

  get size(): number {
    let n = 0;
    for (const ids of this.#byType.values()) n += ids.size;
    return n;
  }

  *entities(): IterableIterator<CedarEntity> {
    for (const ids of this.#byType.values()) yield* ids.values();
  }

  // Breadth-first over parents with a visited set, so cycles (A in B in A) terminate. An ancestor
  // whose closure is already computed contributes that closure without being walked again.
  #computeAncestors(start: CedarEntity): readonly EntityRef[] {
    // INVARIANT: `start` is seen from the outset, so a cycle leading back to it never lists an
    // entity as its own ancestor. Dangling parents are keyed by an unambiguous string.
    const seen = new Set<CedarEntity | string>([start]);
    const result: EntityRef[] = [];
    const queue: EntityRef[] = [...start.parents];
    const add = (ref: EntityRef): boolean => {
      const entity = this.get(ref);
      const identity = entity ?? `${ref.type.length}:${ref.type}${ref.id}`;
      if (seen.has(identity)) return false;
      seen.add(identity);
      result.push(entity?.uid ?? ref);
      return true;
    };
    for (let i = 0; i < queue.length; i += 1) {
      const ref = queue[i] as EntityRef;
      if (!add(ref)) continue;
      const entity = this.get(ref);
      if (entity === undefined) continue;
      const known = this.#ancestors.get(entity);
      if (known !== undefined) {
        for (const ancestor of known) add(ancestor);
      } else {
        queue.push(...entity.parents);
      }
    }
    return result;
  }
}
