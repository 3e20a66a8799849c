// A small seeded PRNG (sfc32) so that every generated differential case is reproducible from a
// printed seed: `caseSeed` derives an independent stream per case, so a failing case can be
// regenerated alone without replaying the cases before it.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 2^32). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Picks by weight: `[[weight, value], …]`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.int(total);
    for (const [weight, value] of choices) {
      if (roll < weight) return value;
      roll -= weight;
    }
    throw new Error('weighted: no choice');
  }

  /** Up to `max` distinct items, in random order. */
  some<T>(items: readonly T[], max: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    const count = Math.min(pool.length, this.int(max + 1));
    for (let i = 0; i < count; i++) out.push(pool.splice(this.int(pool.length), 1)[0] as T);
    return out;
  }
}

/** The seed of case `index` in a run started with `runSeed` (stable across runs and machines). */
export function caseSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (index + 0x6b43a9b5), 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x27d4eb2d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}
