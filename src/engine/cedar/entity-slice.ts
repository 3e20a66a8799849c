// The entities one request hands to Cedar: only what evaluation can reach, converted per request
// from the caller's in-memory lookup (which may hold tens of thousands).
//
// Reachable = the principal, action and resource, the entities the evaluated policies name, and,
// transitively, every ancestor and every entity referenced from an attribute. Cedar's `in` and
// attribute access never look beyond that closure, so the slice decides exactly as the whole
// store would.
//
// The request's principal and resource may bring parents of their own (IdP groups): they are
// unioned with the stored parents in the request's copy of the entity and closed over like them,
// so `in` and scope matching see them and every stored ancestor they have. Both evaluators read
// only this slice, so they see the same hierarchy; nothing shared is changed.
import { TenetError } from '../../errors.js';
import type { CedarEntity, CedarJsonValue, EntityLookup } from '../signals.js';
import { MAX_REQUEST_PARENTS, type EntityRef, type RequestEntity } from '../tuple.js';
import { isEntityTypeName } from './compiled/json/entity-type-name.js';
import { entityKey, entityRefFromJson } from './entity-key.js';
import { toCedarRecord } from './json-value.js';

function invalid(path: string, message: string): TenetError {
  return new TenetError('TENET_ERR_REQUEST_INVALID', `${path}: ${message}`, [{ path, message }]);
}

/**
 * The request's parents as clean refs, rejecting what Cedar could not read (so a bad one is an
 * explicit invalid request, not an evaluator failure that each evaluator words differently).
 */
function requestParents(parents: readonly EntityRef[], path: string): EntityRef[] {
  if (!Array.isArray(parents)) throw invalid(path, 'must be a list of entity references');
  if (parents.length > MAX_REQUEST_PARENTS) throw invalid(path, `at most ${MAX_REQUEST_PARENTS} parents are allowed, got ${parents.length}`);
  return parents.map((parent: unknown, i) => {
    const where = `${path}[${i}]`;
    if (typeof parent !== 'object' || parent === null) throw invalid(where, 'must be an entity reference {type, id}');
    const { type, id } = parent as { type?: unknown; id?: unknown };
    if (typeof type !== 'string' || !isEntityTypeName(type)) throw invalid(`${where}.type`, 'must be a Cedar entity type name such as "Group"');
    if (typeof id !== 'string' || id === '') throw invalid(`${where}.id`, 'must be a non-empty string');
    return { type, id };
  });
}

/** `stored` followed by the request's parents it lacks (Cedar parents are a set). */
function unionParents(stored: readonly EntityRef[], extra: readonly EntityRef[]): EntityRef[] {
  const keys = new Set(stored.map(entityKey));
  const union = [...stored];
  for (const parent of extra) {
    const key = entityKey(parent);
    if (keys.has(key)) continue;
    keys.add(key);
    union.push(parent);
  }
  return union;
}

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
   * attributes and the request's `parents` added to its stored parents; one not in the store
   * becomes an entity with only those properties and parents. When principal and resource are
   * the same entity, the first call's overlay is the entity's (Cedar has one entity per uid).
   * Throws TENET_ERR_REQUEST_INVALID when a property has no Cedar value, or a parent is malformed,
   * too many, or makes the entity its own ancestor.
   */
  addRequestEntity(entity: RequestEntity, path: string): void {
    const uid: EntityRef = { type: entity.type, id: entity.id };
    const key = entityKey(uid);
    // Replaces a plain stored copy reached earlier through another entity's attributes.
    if (this.overlaid.has(key)) return;
    this.overlaid.add(key);
    const extraParents = entity.parents === undefined ? [] : requestParents(entity.parents, `${path}.parents`);
    const stored = this.lookup.get(uid);
    if (stored !== undefined) this.storedKeys.add(key);
    if (entity.properties === undefined && extraParents.length === 0 && stored !== undefined && stored.uid.type === uid.type && stored.uid.id === uid.id) {
      // Nothing to overlay: the stored object itself, which an evaluator may have converted before
      // (the compiled one caches conversions by object identity). Same uid, attrs, parents, tags.
      this.entities.set(key, stored);
      this.closeOver(stored);
      return;
    }
    const overlay = entity.properties === undefined ? {} : toCedarRecord(entity.properties, `${path}.properties`);
    const parents = extraParents.length === 0 ? (stored?.parents ?? []) : unionParents(stored?.parents ?? [], extraParents);
    const merged: CedarEntity = { uid, attrs: { ...(stored?.attrs ?? {}), ...overlay }, parents };
    this.entities.set(key, stored?.tags === undefined ? merged : { ...merged, tags: stored.tags });
    this.closeOver(merged);
    // Cedar rejects a parent cycle; one through a request parent is the request's fault, so it is
    // named as such here rather than left to fail (differently worded) in each evaluator. Stored
    // parents only grow by unions, so a cycle found now stays one.
    if (extraParents.length > 0 && this.reaches(extraParents, key)) {
      throw invalid(`${path}.parents`, `they make ${key} its own ancestor`);
    }
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

  /** Whether `target` is among `starts` or their ancestors within the slice. */
  private reaches(starts: readonly EntityRef[], target: string): boolean {
    const seen = new Set<string>();
    const pending = starts.map(entityKey);
    for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
      if (key === target) return true;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const parent of this.entities.get(key)?.parents ?? []) pending.push(entityKey(parent));
    }
    return false;
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
