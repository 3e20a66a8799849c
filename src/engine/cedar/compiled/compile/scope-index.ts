// Buckets compiled policies by scope so a request visits only the policies whose scope can
// match it at all three positions (principal, action, resource). Skipping a policy whose scope
// does not match is exact: its scope is false, so it is neither satisfied nor erroring (Cedar
// evaluates the scope before the conditions; cedar-spec proves slicing sound in
// cedar-lean/Cedar/Thm/Slicing.lean).
//
// Each position keeps buckets: `any`, `== E` by E's key, `in E` / `in [E…]` / `is T in E` by E's
// key (matching E and its descendants), `is T` by T. A request finds, per position, the buckets
// that can match its entity (the entity's key, its type, each ancestor's key: a few map lookups,
// done once per entity and ancestor set and then cached, so a request costs one lookup per
// position) and stamps them with the request's epoch. It then walks the ordinals of the position
// whose buckets hold the fewest policies and keeps an ordinal only if its bucket at each of the
// other two positions was stamped too: one typed-array read per position, no allocation. A policy that
// sits in several buckets of a position (`action in [A, B]`) has no single bucket there and is
// kept at that position; the authorizer's exact scope test settles it (and `is T in E`, whose
// bucket does not check T).
//
// INVARIANTS: every policy whose scope matches the request is selected (the selection may also
// hold policies whose scope does not match: `is T in E` of another type, multi-entity `in`);
// each policy is selected at most once; the selection is in ascending ordinal order.
import type { EntityData, EntityUid } from '../value.js';
import type { ScopeTest } from './scope.js';

interface Bucket {
  readonly id: number;
  readonly ordinals: number[];
}

/** No single bucket: the policy sits in several buckets of this position. */
const SEVERAL = -1;

/**
 * The buckets one entity can match at a position other than `any` (by its key, its type, its own
 * and its ancestors' keys), each once and none empty, and how many ordinals they hold; cached per
 * entity. `ancestors` is the set they were computed from (undefined: the entity was not in the
 * graph, or the position has no `in` bucket): entity graphs never mutate an ancestor set they
 * handed out (value.ts, EntityData), so the same set means the same buckets, and a changed
 * hierarchy brings a new set and a recompute.
 */
interface Reach {
  readonly ancestors: ReadonlySet<string> | undefined;
  readonly buckets: readonly Bucket[];
  readonly count: number;
}

/** Entries kept per position before the cache starts over (bounds memory when request uids are unbounded). */
const REACH_CACHE_LIMIT = 1 << 16;

/** One scope position; policies are numbered by ordinal, buckets by id. */
class Position {
  private readonly buckets: Bucket[] = [];
  private readonly any: Bucket;
  /** `== E`, by E's key: matches only E itself. */
  private readonly equal = new Map<string, Bucket>();
  /** `in E`, `in [E…]` and `is T in E`, by E's key: matches E and its descendants. */
  private readonly within = new Map<string, Bucket>();
  /** `is T` alone, by T. */
  private readonly ofType = new Map<string, Bucket>();
  private readonly reaches = new Map<EntityUid, Reach>();
  /** Per ordinal: the id of its bucket, or SEVERAL. */
  readonly bucketOf: Int32Array;
  /** Per bucket id: the epoch of the last request that found it. */
  stamps: Uint32Array = new Uint32Array(0);
  /** What the current request found: `any` when `anyFound`, and `found` (the entity's reach). */
  anyFound = false;
  found: readonly Bucket[] = [];

  constructor(tests: readonly ScopeTest[]) {
    this.any = this.newBucket();
    this.bucketOf = new Int32Array(tests.length);
    tests.forEach((test, ordinal) => this.add(ordinal, test));
    this.stamps = new Uint32Array(this.buckets.length);
  }

  get anyBucket(): Bucket {
    return this.any;
  }

  private newBucket(): Bucket {
    const bucket = { id: this.buckets.length, ordinals: [] };
    this.buckets.push(bucket);
    return bucket;
  }

  private place(map: Map<string, Bucket>, key: string): Bucket {
    let bucket = map.get(key);
    if (bucket === undefined) map.set(key, (bucket = this.newBucket()));
    return bucket;
  }

  private add(ordinal: number, test: ScopeTest): void {
    const targets: Bucket[] = [];
    switch (test.op) {
      case 'any':
        targets.push(this.any);
        break;
      case 'eq':
        targets.push(this.place(this.equal, test.uid.key));
        break;
      case 'in':
        for (const uid of test.uids) {
          const bucket = this.place(this.within, uid.key);
          if (!targets.includes(bucket)) targets.push(bucket);
        }
        break;
      case 'is':
        targets.push(test.in === undefined ? this.place(this.ofType, test.type) : this.place(this.within, test.in.key));
        break;
    }
    for (const bucket of targets) bucket.ordinals.push(ordinal);
    this.bucketOf[ordinal] = targets.length === 1 ? (targets[0] as Bucket).id : SEVERAL;
  }

  /** Clears every stamp (when the epoch counter wraps). */
  resetStamps(): void {
    this.stamps.fill(0);
  }

  /** The buckets `uid` can match, given its ancestors (undefined: none, or no `in` bucket to look them up in). */
  private reach(uid: EntityUid, ancestors: ReadonlySet<string> | undefined): Reach {
    const buckets: Bucket[] = [];
    gather(buckets, this.equal.get(uid.key));
    gather(buckets, this.ofType.get(uid.type));
    if (this.within.size > 0) {
      gather(buckets, this.within.get(uid.key));
      if (ancestors !== undefined) for (const key of ancestors) gather(buckets, this.within.get(key));
    }
    let count = 0;
    for (const bucket of buckets) count += bucket.ordinals.length;
    return { ancestors, buckets, count };
  }

  /**
   * Stamps and lists the buckets that can hold policies matching `uid` (`data` undefined: the
   * entity is not in the graph, so it has no ancestors); returns how many ordinals they hold.
   */
  collect(uid: EntityUid, data: EntityData | undefined, epoch: number): number {
    // Ancestors matter only to `in` buckets (and an entity view computes them only when asked).
    const ancestors = data === undefined || this.within.size === 0 ? undefined : data.ancestors;
    let reach = this.reaches.get(uid);
    if (reach === undefined || reach.ancestors !== ancestors) {
      reach = this.reach(uid, ancestors);
      if (this.reaches.size >= REACH_CACHE_LIMIT) this.reaches.clear();
      this.reaches.set(uid, reach);
    }
    const stamps = this.stamps;
    const buckets = reach.buckets;
    for (let i = 0; i < buckets.length; i++) stamps[(buckets[i] as Bucket).id] = epoch;
    this.found = buckets;
    const anyCount = this.any.ordinals.length;
    this.anyFound = anyCount > 0;
    if (this.anyFound) stamps[this.any.id] = epoch;
    return reach.count + anyCount;
  }

  /** Whether the current request can match `ordinal` at this position (its bucket was found, or it has several). */
  admits(ordinal: number, epoch: number): boolean {
    const bucket = this.bucketOf[ordinal] as number;
    return bucket === SEVERAL || this.stamps[bucket] === epoch;
  }
}

/** Adds `bucket` to `buckets` unless absent or already there (an entity on a parent cycle is its own ancestor). */
function gather(buckets: Bucket[], bucket: Bucket | undefined): void {
  if (bucket !== undefined && !buckets.includes(bucket)) buckets.push(bucket);
}

/** The three positions' buckets over policies numbered 0…n−1. Not reentrant (per-instance scratch space). */
export class ScopeIndex {
  private readonly principals: Position;
  private readonly actions: Position;
  private readonly resources: Position;
  /** Per ordinal: the epoch of the last request that selected it. */
  private readonly visited: Uint32Array;
  private epoch = 0;

  constructor(scopes: readonly { readonly principal: ScopeTest; readonly action: ScopeTest; readonly resource: ScopeTest }[]) {
    this.principals = new Position(scopes.map((s) => s.principal));
    this.actions = new Position(scopes.map((s) => s.action));
    this.resources = new Position(scopes.map((s) => s.resource));
    this.visited = new Uint32Array(scopes.length);
  }

  /**
   * Writes to `out` (from index 0, ascending) the ordinals of the policies that can match the
   * request at every position, each once; returns how many. `out` must hold n entries.
   */
  select(
    principal: EntityUid,
    principalData: EntityData | undefined,
    action: EntityUid,
    actionData: EntityData | undefined,
    resource: EntityUid,
    resourceData: EntityData | undefined,
    out: Uint32Array,
  ): number {
    const epoch = this.nextEpoch();
    const p = this.principals;
    const a = this.actions;
    const r = this.resources;
    const principalCount = p.collect(principal, principalData, epoch);
    if (principalCount === 0) return 0;
    const actionCount = a.collect(action, actionData, epoch);
    if (actionCount === 0) return 0;
    const resourceCount = r.collect(resource, resourceData, epoch);
    if (resourceCount === 0) return 0;
    let walked: Position;
    let other1: Position;
    let other2: Position;
    if (principalCount <= actionCount && principalCount <= resourceCount) {
      walked = p;
      other1 = r;
      other2 = a;
    } else if (resourceCount <= actionCount) {
      walked = r;
      other1 = p;
      other2 = a;
    } else {
      walked = a;
      other1 = r;
      other2 = p;
    }
    let count = walked.anyFound ? this.keep(walked.anyBucket, other1, other2, epoch, out, 0) : 0;
    const found = walked.found;
    for (let b = 0; b < found.length; b++) count = this.keep(found[b] as Bucket, other1, other2, epoch, out, count);
    sortAscending(out, count);
    return count;
  }

  /** Appends to `out` (from `count`) the bucket's ordinals the other two positions admit and not yet kept; returns the new count. */
  private keep(bucket: Bucket, other1: Position, other2: Position, epoch: number, out: Uint32Array, count: number): number {
    const visited = this.visited;
    const ordinals = bucket.ordinals;
    let kept = count;
    for (let i = 0; i < ordinals.length; i++) {
      const ordinal = ordinals[i] as number;
      // A policy can sit in several buckets of one position (`action in [A, B]`).
      if (visited[ordinal] === epoch) continue;
      visited[ordinal] = epoch;
      if (other1.admits(ordinal, epoch) && other2.admits(ordinal, epoch)) out[kept++] = ordinal;
    }
    return kept;
  }

  /** A fresh stamp: marking buckets and ordinals per request instead of allocating sets. */
  private nextEpoch(): number {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.visited.fill(0);
      this.principals.resetStamps();
      this.actions.resetStamps();
      this.resources.resetStamps();
      this.epoch = 1;
    }
    return this.epoch;
  }
}

/** Sorts `values[0…count)` ascending in place: insertion sort for the usual handful, else the typed-array sort. */
export function sortAscending(values: Uint32Array, count: number): void {
  if (count > 24) {
    values.subarray(0, count).sort();
    return;
  }
  for (let i = 1; i < count; i++) {
    const value = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > value) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = value;
  }
}
