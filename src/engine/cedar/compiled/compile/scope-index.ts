// Buckets compiled policies by scope so a request visits only the policies whose scope can
// match it at all three positions (principal, action, resource). Skipping a policy whose scope
// does not match is exact: its scope is false, so it is neither satisfied nor erroring (Cedar
// evaluates the scope before the conditions; cedar-spec proves slicing sound in
// cedar-lean/Cedar/Thm/Slicing.lean).
//
// Each position keeps buckets: `any`, `== E` by E's key, `in E` / `in [E…]` / `is T in E` by E's
// key (matching E and its descendants), `is T` by T. A request finds, per position, the buckets
// that can match its entity (a few map lookups: the entity's key, its type, each ancestor's key)
// and stamps them with the request's epoch. It then walks the ordinals of the position whose
// buckets hold the fewest policies and keeps an ordinal only if its bucket at each of the other
// two positions was stamped too: one typed-array read per position, no allocation. A policy that
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
  /** Per ordinal: the id of its bucket, or SEVERAL. */
  readonly bucketOf: Int32Array;
  /** Per bucket id: the epoch of the last request that found it. */
  stamps: Uint32Array = new Uint32Array(0);
  /** The buckets the current request found (the first `foundCount`), each once. */
  readonly found: Bucket[] = [];
  foundCount = 0;

  constructor(tests: readonly ScopeTest[]) {
    this.any = this.newBucket();
    this.bucketOf = new Int32Array(tests.length);
    tests.forEach((test, ordinal) => this.add(ordinal, test));
    this.stamps = new Uint32Array(this.buckets.length);
    // Pre-size `found` so the hot path overwrites slots instead of growing the array.
    for (let i = 0; i < this.buckets.length; i++) this.found.push(this.any);
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

  private take(bucket: Bucket | undefined, epoch: number): number {
    if (bucket === undefined || this.stamps[bucket.id] === epoch) return 0;
    this.stamps[bucket.id] = epoch;
    this.found[this.foundCount++] = bucket;
    return bucket.ordinals.length;
  }

  /**
   * Stamps and lists the buckets that can hold policies matching `uid` (`data` undefined: the
   * entity is not in the graph, so it has no ancestors); returns how many ordinals they hold.
   */
  collect(uid: EntityUid, data: EntityData | undefined, epoch: number): number {
    // Written without helper closures: this runs three times per request.
    this.foundCount = 0;
    let count = this.any.ordinals.length === 0 ? 0 : this.take(this.any, epoch);
    if (this.equal.size > 0) count += this.take(this.equal.get(uid.key), epoch);
    if (this.ofType.size > 0) count += this.take(this.ofType.get(uid.type), epoch);
    if (this.within.size > 0) {
      count += this.take(this.within.get(uid.key), epoch);
      if (data !== undefined) for (const key of data.ancestors) count += this.take(this.within.get(key), epoch);
    }
    return count;
  }

  /** Whether the current request can match `ordinal` at this position (its bucket was found, or it has several). */
  admits(ordinal: number, epoch: number): boolean {
    const bucket = this.bucketOf[ordinal] as number;
    return bucket === SEVERAL || this.stamps[bucket] === epoch;
  }
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
    const visited = this.visited;
    let count = 0;
    for (let b = 0; b < walked.foundCount; b++) {
      const ordinals = (walked.found[b] as Bucket).ordinals;
      for (let i = 0; i < ordinals.length; i++) {
        const ordinal = ordinals[i] as number;
        // A policy can sit in several buckets of one position (`action in [A, B]`).
        if (visited[ordinal] === epoch) continue;
        visited[ordinal] = epoch;
        if (other1.admits(ordinal, epoch) && other2.admits(ordinal, epoch)) out[count++] = ordinal;
      }
    }
    sortAscending(out, count);
    return count;
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
