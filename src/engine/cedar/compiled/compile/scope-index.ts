// Buckets compiled policies by scope so a request visits only the policies whose scope can
// match it. Each of the three scope positions has its own index; a request gathers the buckets
// that can match at each position, and the authorizer walks the position with the fewest
// candidates, checking the full scope of each. Skipping a policy whose scope does not match is
// exact: its scope is false, so it is neither satisfied nor erroring (Cedar evaluates the scope
// before the conditions; cedar-spec proves slicing sound in cedar-lean/Cedar/Thm/Slicing.lean).
//
// INVARIANT: every policy whose scope test at a position matches an entity is in at least one of
// the buckets `collect` returns for that entity (buckets may also hold non-matching policies).
import type { EntityData, EntityUid } from '../value.js';
import type { ScopeTest } from './scope.js';

function push(map: Map<string, number[]>, key: string, ordinal: number): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, [ordinal]);
  else if (bucket[bucket.length - 1] !== ordinal) bucket.push(ordinal);
}

function addBucket(bucket: readonly number[] | undefined, out: (readonly number[])[]): number {
  if (bucket === undefined || bucket.length === 0) return 0;
  out.push(bucket);
  return bucket.length;
}

/** One scope position (principal, action or resource); policies are numbered by ordinal. */
export class PositionIndex {
  private readonly any: number[] = [];
  /** `== E`, by E's key: matches only E itself. */
  private readonly equal = new Map<string, number[]>();
  /** `in E`, `in [E…]` and `is T in E`, by E's key: matches E and its descendants. */
  private readonly within = new Map<string, number[]>();
  /** `is T` alone, by T. */
  private readonly ofType = new Map<string, number[]>();

  add(ordinal: number, test: ScopeTest): void {
    switch (test.op) {
      case 'any':
        this.any.push(ordinal);
        return;
      case 'eq':
        push(this.equal, test.uid.key, ordinal);
        return;
      case 'in':
        for (const uid of test.uids) push(this.within, uid.key, ordinal);
        return;
      case 'is':
        if (test.in === undefined) push(this.ofType, test.type, ordinal);
        else push(this.within, test.in.key, ordinal);
        return;
    }
  }

  /**
   * Appends to `out` the buckets that can hold policies matching `uid` and returns how many
   * ordinals they hold in total (with repeats). `data` undefined: the entity is not in the graph.
   */
  collect(uid: EntityUid, data: EntityData | undefined, out: (readonly number[])[]): number {
    // Written without helper closures: this runs three times per request.
    let count = addBucket(this.any, out);
    count += addBucket(this.equal.get(uid.key), out);
    count += addBucket(this.ofType.get(uid.type), out);
    count += addBucket(this.within.get(uid.key), out);
    if (data !== undefined && this.within.size > 0) for (const key of data.ancestors) count += addBucket(this.within.get(key), out);
    return count;
  }
}
