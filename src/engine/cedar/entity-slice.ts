// The entities one request hands to Cedar: only what evaluation can reach, converted per request
// from the caller's in-memory lookup (which may hold tens of thousands).
//
// Reachable = the principal, action and resource, the entities the evaluated policies name, and,
// transitively, every ancestor and every entity referenced from an attribute. Cedar's `in` and
// attribute access never look beyond that closure, so the slice decides exactly as the whole
// store would.
import type { CedarEntity, CedarJsonValue, EntityLookup } from '../signals.js';
import type { EntityRef, RequestEntity } from '../tuple.js';
import { entityKey, entityRefFromJson } from './entity-key.js';
import { toCedarRecord } from './json-value.js';

export class EntitySlice {
  private readonly entities = new Map<string, CedarEntity>();
  /** Keys of the slice's entities found in the caller's lookup (for `signalsUsed`). */
  readonly storedKeys = new Set<string>();
  /** Keys of the request's principal and resource, whose entries carry the request's overlay. */
  private readonly overlaid = new Set<string>();

  constructor(
    private readonly lookup: EntityLookup,
    /** Action entities declared by the schema, with their action-group parents. */
    private readonly actions: ReadonlyMap<string, CedarEntity>,
  ) {}

  /**
   * Adds a principal or resource with the request's `properties` overlaid on its stored
   * attributes; one not in the store becomes an entity with only those properties and no parents.
   * Throws TENET_ERR_REQUEST_INVALID when a property has no Cedar value.
   */
  addRequestEntity(entity: RequestEntity, path: string): void {
    const uid: EntityRef = { type: entity.type, id: entity.id };
    const key = entityKey(uid);
    // Replaces a plain stored copy reached earlier through another entity's attributes.
    if (this.overlaid.has(key)) return;
    this.overlaid.add(key);
    const stored = this.lookup.get(uid);
    if (stored !== undefined) this.storedKeys.add(key);
    if (entity.properties === undefined && stored !== undefined && stored.uid.type === uid.type && stored.uid.id === uid.id) {
      // Nothing to overlay: the stored object itself, which an evaluator may have converted before
      // (the compiled one caches conversions by object identity). Same uid, attrs, parents, tags.
      this.entities.set(key, stored);
      this.closeOver(stored);
      return;
    }
    const overlay = entity.properties === undefined ? {} : toCedarRecord(entity.properties, `${path}.properties`);
    const merged: CedarEntity = { uid, attrs: { ...(stored?.attrs ?? {}), ...overlay }, parents: stored?.parents ?? [] };
    this.entities.set(key, stored?.tags === undefined ? merged : { ...merged, tags: stored.tags });
    this.closeOver(merged);
  }

  /** Adds the action entity; its groups come from the schema's `memberOf`, else it has none. */
  addAction(uid: EntityRef): void {
    const key = entityKey(uid);
    if (this.entities.has(key)) return;
    const declared = this.actions.get(key) ?? { uid, attrs: {}, parents: [] };
    this.entities.set(key, declared);
    for (const parent of declared.parents) this.addAction(parent);
  }

  /** Adds a stored entity and its closure; unknown references are left out (Cedar treats them as attribute-less). */
  add(ref: EntityRef): void {
    const key = entityKey(ref);
    if (this.entities.has(key)) return;
    const action = this.actions.get(key);
    if (action !== undefined) {
      this.addAction(ref);
      return;
    }
    const stored = this.lookup.get(ref);
    if (stored === undefined) return;
    this.entities.set(key, stored);
    this.storedKeys.add(key);
    this.closeOver(stored);
  }

  private closeOver(entity: CedarEntity): void {
    for (const parent of entity.parents) this.add(parent);
    for (const value of Object.values(entity.attrs)) this.addReferenced(value);
    if (entity.tags !== undefined) for (const value of Object.values(entity.tags)) this.addReferenced(value);
  }

  private addReferenced(value: CedarJsonValue): void {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value as readonly CedarJsonValue[]) this.addReferenced(item);
      return;
    }
    const record = value as { readonly [key: string]: CedarJsonValue };
    if ('__entity' in record) {
      const ref = entityRefFromJson(record);
      if (ref !== undefined) this.add(ref);
      return;
    }
    if ('__extn' in record) return;
    for (const item of Object.values(record)) this.addReferenced(item);
  }

  /** The entity's key plus the keys of all its ancestors within the slice (for scope matching). */
  selfAndAncestors(ref: EntityRef): Set<string> {
    const found = new Set<string>();
    const pending = [entityKey(ref)];
    for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
      if (found.has(key)) continue;
      found.add(key);
      for (const parent of this.entities.get(key)?.parents ?? []) pending.push(entityKey(parent));
    }
    return found;
  }

  toArray(): CedarEntity[] {
    return [...this.entities.values()];
  }
}
