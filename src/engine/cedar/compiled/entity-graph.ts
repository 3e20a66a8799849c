// The in-memory entity graph the compiled evaluator reads: entities by uid, each with its
// transitive ancestors precomputed so `in` is one set lookup. The engine keeps one graph and
// updates it in place (`upsert`, `remove`); only the changed entities and their descendants have
// their ancestor sets recomputed.
//
// Cedar's hierarchy rules (https://docs.cedarpolicy.com/auth/entities-syntax.html#parents):
// an entity's ancestors are its parents and, transitively, the parents of every parent that is in
// the data; a parent that is not in the data is still an ancestor, but contributes no ancestors of
// its own. Cedar rejects entity data with a cycle; this graph stays correct on cycles anyway
// (every entity on a cycle is its own ancestor) and `entitiesOnCycles()` reports them so callers
// can reject them as Cedar does.
import type { EntityData, EntityGraph, EntityUid, Value } from './value.js';

/** One entity as loaded into the graph. */
export interface EntityRecord {
  readonly uid: EntityUid;
  readonly attrs: ReadonlyMap<string, Value>;
  readonly tags: ReadonlyMap<string, Value>;
  readonly parents: readonly EntityUid[];
}

class GraphEntity implements EntityData {
  /** Replaced (never mutated) whenever it is recomputed, so entities on one cycle may share it. */
  ancestors: ReadonlySet<string> = EMPTY;
  constructor(
    readonly uid: EntityUid,
    readonly attrs: ReadonlyMap<string, Value>,
    readonly tags: ReadonlyMap<string, Value>,
    readonly parents: readonly EntityUid[],
  ) {}
}

const EMPTY: ReadonlySet<string> = new Set<string>();

export class InMemoryEntityGraph implements EntityGraph {
  private readonly entities = new Map<EntityUid, GraphEntity>();
  /**
   * Reverse edges: parent uid → uids of the entities in the graph that list it as a parent,
   * including parents that are not (yet) in the graph.
   * INVARIANT: `children.get(p).has(c)` iff entity c is in the graph and lists p among its parents.
   */
  private readonly children = new Map<EntityUid, Set<EntityUid>>();

  constructor(entities: Iterable<EntityRecord> = []) {
    this.upsert(entities);
  }

  get(uid: EntityUid): EntityData | undefined {
    return this.entities.get(uid);
  }

  get size(): number {
    return this.entities.size;
  }

  values(): IterableIterator<EntityData> {
    return this.entities.values();
  }

  /** Adds or replaces entities (a later record for the same uid wins) and refreshes affected ancestor sets. */
  upsert(records: Iterable<EntityRecord>): void {
    const changed = new Set<EntityUid>();
    for (const record of records) {
      this.detach(record.uid);
      const entity = new GraphEntity(record.uid, record.attrs, record.tags, [...new Set(record.parents)]);
      this.entities.set(record.uid, entity);
      for (const parent of entity.parents) {
        let kids = this.children.get(parent);
        if (kids === undefined) this.children.set(parent, (kids = new Set()));
        kids.add(record.uid);
      }
      changed.add(record.uid);
    }
    this.refresh(changed);
  }

  /** Removes entities; their former children keep them as (now leaf) ancestors, as Cedar would. */
  remove(uids: Iterable<EntityUid>): void {
    const changed = new Set<EntityUid>();
    for (const uid of uids) {
      if (this.detach(uid)) changed.add(uid);
    }
    this.refresh(changed);
  }

  /** Entities that are their own ancestors, i.e. lie on a parent cycle (Cedar rejects such data). */
  entitiesOnCycles(): EntityUid[] {
    const found: EntityUid[] = [];
    for (const entity of this.entities.values()) if (entity.ancestors.has(entity.uid.key)) found.push(entity.uid);
    return found;
  }

  /** Takes an entity out of the graph and the reverse edges; true when it was there. */
  private detach(uid: EntityUid): boolean {
    const old = this.entities.get(uid);
    if (old === undefined) return false;
    for (const parent of old.parents) {
      const kids = this.children.get(parent);
      kids?.delete(uid);
      if (kids !== undefined && kids.size === 0) this.children.delete(parent);
    }
    this.entities.delete(uid);
    return true;
  }

  /** Recomputes the ancestor sets of the changed entities and of all their descendants. */
  private refresh(changed: ReadonlySet<EntityUid>): void {
    const affected = new Set<GraphEntity>();
    const queue = [...changed];
    const seen = new Set<EntityUid>(queue);
    for (let i = 0; i < queue.length; i++) {
      const uid = queue[i] as EntityUid;
      const entity = this.entities.get(uid);
      if (entity !== undefined) affected.add(entity);
      for (const child of this.children.get(uid) ?? []) {
        if (!seen.has(child)) {
          seen.add(child);
          queue.push(child);
        }
      }
    }
    if (affected.size > 0) this.computeAncestors(affected);
  }

  /**
   * Tarjan's strongly connected components over child → parent edges inside `affected`
   * (iterative: hierarchies can be deeper than the call stack). Components come out parents
   * first, so each component's ancestors are the union of its members' parents and of those
   * parents' already-final ancestor sets. Entities outside `affected` keep their sets: none of
   * their ancestors changed (else they would be descendants of a changed entity).
   */
  private computeAncestors(affected: ReadonlySet<GraphEntity>): void {
    const index = new Map<GraphEntity, number>();
    const low = new Map<GraphEntity, number>();
    const stack: GraphEntity[] = [];
    const onStack = new Set<GraphEntity>();
    let counter = 0;
    const open = (entity: GraphEntity, work: { entity: GraphEntity; edge: number }[]): void => {
      index.set(entity, counter);
      low.set(entity, counter);
      counter++;
      stack.push(entity);
      onStack.add(entity);
      work.push({ entity, edge: 0 });
    };

    for (const root of affected) {
      if (index.has(root)) continue;
      const work: { entity: GraphEntity; edge: number }[] = [];
      open(root, work);
      while (work.length > 0) {
        const frame = work[work.length - 1] as { entity: GraphEntity; edge: number };
        const { entity } = frame;
        if (frame.edge < entity.parents.length) {
          const parent = this.entities.get(entity.parents[frame.edge++] as EntityUid);
          if (parent === undefined || !affected.has(parent)) continue;
          if (!index.has(parent)) open(parent, work);
          else if (onStack.has(parent)) low.set(entity, Math.min(low.get(entity) as number, index.get(parent) as number));
          continue;
        }
        work.pop();
        const caller = work[work.length - 1];
        if (caller !== undefined) low.set(caller.entity, Math.min(low.get(caller.entity) as number, low.get(entity) as number));
        if (low.get(entity) !== index.get(entity)) continue;
        const component: GraphEntity[] = [];
        let member: GraphEntity;
        do {
          member = stack.pop() as GraphEntity;
          onStack.delete(member);
          component.push(member);
        } while (member !== entity);
        this.assignAncestors(component);
      }
    }
  }

  private assignAncestors(component: readonly GraphEntity[]): void {
    const members = component.length > 1 ? new Set(component) : undefined;
    const ancestors = new Set<string>();
    for (const entity of component) {
      for (const parentUid of entity.parents) {
        ancestors.add(parentUid.key);
        const parent = this.entities.get(parentUid);
        if (parent === undefined || parent === entity || members?.has(parent) === true) continue;
        for (const key of parent.ancestors) ancestors.add(key);
      }
    }
    const shared: ReadonlySet<string> = ancestors.size === 0 ? EMPTY : ancestors;
    for (const entity of component) entity.ancestors = shared;
  }
}
