// A per-call EntityGraph over a call's entity JSON (the engine's entity slice) that converts each
// entity JSON object once, not once per call. The engine hands the evaluator the same CedarEntity
// objects (from the signals EntityIndex and the schema's action entities) on every request until
// that index is rebuilt, so their conversion is cached in a WeakMap keyed by object identity; the
// request's overlaid principal and resource (its properties and request-time parents, e.g. IdP
// groups, merged in by ../entity-slice.ts) are new objects per request and so are converted
// afresh, and their ancestors are computed in this call's view only. A rebuilt index brings new
// objects, which miss the cache; the old entries go with the old objects. The cache assumes, as
// the engine's readonly types promise, that an entity JSON object is not mutated after it has
// been handed to an evaluator.
//
// Answers exactly as entityGraphFromJson (json/entities-json.ts) does: conversion errors are the
// same (the same converter runs, with the same path, and failures are never cached), and whenever
// the list holds something unusual (a uid given twice by different objects, or a parent cycle) the
// whole list goes through entityGraphFromJson itself, which accepts it or throws its own error.
// Ancestor sets are computed per call (they depend on which entities are in this call's list),
// lazily, only for the entities the evaluator asks about.
import type { EntityRecord } from './entity-graph.js';
import { entityFromJson, entityGraphFromJson } from './json/index.js';
import type { EntityData, EntityGraph, EntityUid, Value } from './value.js';

/** A converted entity, with its parents deduplicated. Shared across calls: never per-call state. */
interface Converted {
  readonly uid: EntityUid;
  readonly attrs: ReadonlyMap<string, Value>;
  readonly tags: ReadonlyMap<string, Value>;
  readonly parents: readonly EntityUid[];
}

const converted = new WeakMap<object, Converted>();

const EMPTY: ReadonlySet<string> = new Set<string>();

function convert(json: unknown, path: string): Converted {
  if (typeof json === 'object' && json !== null) {
    const hit = converted.get(json);
    if (hit !== undefined) return hit;
  }
  const record: EntityRecord = entityFromJson(json, path); // throws for anything but an object
  const parents = record.parents.length <= 1 ? record.parents : [...new Set(record.parents)];
  const entry: Converted = { uid: record.uid, attrs: record.attrs, tags: record.tags, parents };
  converted.set(json as object, entry);
  return entry;
}

class Node implements EntityData {
  /** This call's ancestor set, once asked for. */
  computed: ReadonlySet<string> | undefined;
  constructor(
    readonly entity: Converted,
    private readonly view: SliceEntityView,
  ) {
    if (entity.parents.length === 0) this.computed = EMPTY;
  }
  get uid(): EntityUid {
    return this.entity.uid;
  }
  get attrs(): ReadonlyMap<string, Value> {
    return this.entity.attrs;
  }
  get tags(): ReadonlyMap<string, Value> {
    return this.entity.tags;
  }
  get ancestors(): ReadonlySet<string> {
    return this.computed ?? this.view.ancestorsOf(this);
  }
}

class SliceEntityView implements EntityGraph {
  readonly nodes = new Map<EntityUid, Node>();

  get(uid: EntityUid): EntityData | undefined {
    return this.nodes.get(uid);
  }

  /** True when some entity reaches itself through parents in the view (iterative DFS, three colours). */
  hasCycle(): boolean {
    const done = new Set<Node>();
    const onPath = new Set<Node>();
    for (const root of this.nodes.values()) {
      if (root.entity.parents.length === 0 || done.has(root)) continue;
      const stack: { node: Node; edge: number }[] = [{ node: root, edge: 0 }];
      onPath.add(root);
      while (stack.length > 0) {
        const frame = stack[stack.length - 1] as { node: Node; edge: number };
        const parents = frame.node.entity.parents;
        if (frame.edge < parents.length) {
          const parent = this.nodes.get(parents[frame.edge++] as EntityUid);
          if (parent === undefined || done.has(parent)) continue;
          if (onPath.has(parent)) return true;
          onPath.add(parent);
          stack.push({ node: parent, edge: 0 });
          continue;
        }
        stack.pop();
        onPath.delete(frame.node);
        done.add(frame.node);
      }
    }
    return false;
  }

  /**
   * The transitive ancestors of `start` within this view, as InMemoryEntityGraph computes them:
   * every parent's key, plus the ancestors of each parent that is in the view. Only called once
   * the view is known to be acyclic; iterative, since hierarchies can be deeper than the stack.
   */
  ancestorsOf(start: Node): ReadonlySet<string> {
    const stack: Node[] = [start];
    while (stack.length > 0) {
      const node = stack[stack.length - 1] as Node;
      if (node.computed !== undefined) {
        stack.pop();
        continue;
      }
      let pending = false;
      for (const uid of node.entity.parents) {
        const parent = this.nodes.get(uid);
        if (parent !== undefined && parent.computed === undefined) {
          stack.push(parent);
          pending = true;
        }
      }
      if (pending) continue;
      stack.pop();
      const ancestors = new Set<string>();
      for (const uid of node.entity.parents) {
        ancestors.add(uid.key);
        const parent = this.nodes.get(uid);
        if (parent !== undefined) for (const key of parent.computed as ReadonlySet<string>) ancestors.add(key);
      }
      node.computed = ancestors;
    }
    return start.computed as ReadonlySet<string>;
  }
}

/**
 * The entity graph for one call's entity JSON: the same answers (and the same TenetErrors) as
 * `entityGraphFromJson(json, path)`, converting only entity objects not seen before.
 */
export function entityViewFromJson(json: unknown, path = 'entities'): EntityGraph {
  if (!Array.isArray(json)) return entityGraphFromJson(json, path); // throws its own error
  const view = new SliceEntityView();
  const objects = new Map<EntityUid, unknown>();
  for (let i = 0; i < json.length; i++) {
    const element: unknown = json[i];
    const entity = convert(element, `${path}[${i}]`);
    const earlier = objects.get(entity.uid);
    if (earlier !== undefined) {
      if (earlier === element) continue;
      // Two entries for one uid: whether they are identical, and which error otherwise, is
      // entityGraphFromJson's to say (it also reports any later conversion error in order).
      return entityGraphFromJson(json, path);
    }
    objects.set(entity.uid, element);
    view.nodes.set(entity.uid, new Node(entity, view));
  }
  // A cycle rejects the list; entityGraphFromJson names the entity as it always has.
  if (view.hasCycle()) return entityGraphFromJson(json, path);
  return view;
}

/** Views of entity lists already read, with the elements each was built from. */
const views = new WeakMap<readonly unknown[], { readonly elements: readonly unknown[]; readonly graph: EntityGraph }>();

/**
 * entityViewFromJson, reusing the view built for this very list when it still holds the same
 * objects in the same order (the engine passes one list to the actual evaluation and to step-up's
 * re-evaluations of the same request).
 */
export function cachedEntityViewFromJson(json: unknown, path = 'entities'): EntityGraph {
  if (!Array.isArray(json)) return entityViewFromJson(json, path);
  const list = json as readonly unknown[];
  const hit = views.get(list);
  if (hit !== undefined && hit.elements.length === list.length && hit.elements.every((element, i) => element === list[i])) return hit.graph;
  const graph = entityViewFromJson(list, path);
  views.set(list, { elements: [...list], graph });
  return graph;
}
