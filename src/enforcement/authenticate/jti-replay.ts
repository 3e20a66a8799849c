// Remembers the `jti` of logout tokens already acted on, so a captured token cannot be replayed
// (Back-Channel Logout 1.0 §2.6 step 8 allows rejecting a seen jti). Entries live as long as the
// token could still be accepted; the set is bounded so a flood of valid tokens cannot exhaust
// memory (the oldest entry is dropped first; tokens older than the accepted age fail anyway).

export class JtiReplaySet {
  // INVARIANT: insertion order is expiry order, because every entry lives for the same lifetime.
  private readonly expiries = new Map<string, number>();

  /** `lifetimeMs`: at least as long as a token stays acceptable (maximum age plus clock leeway). */
  constructor(
    private readonly maxEntries: number,
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  /** Records `key`; false when it was already recorded within the lifetime (a replay). */
  firstUse(key: string): boolean {
    const current = this.now();
    this.dropExpired(current);
    const known = this.expiries.get(key);
    if (known !== undefined && known > current) return false;
    this.expiries.delete(key);
    while (this.expiries.size >= this.maxEntries) {
      const oldest = this.expiries.keys().next();
      if (oldest.done === true) break;
      this.expiries.delete(oldest.value);
    }
    this.expiries.set(key, current + this.lifetimeMs);
    return true;
  }

  get size(): number {
    return this.expiries.size;
  }

  clear(): void {
    this.expiries.clear();
  }

  private dropExpired(current: number): void {
    for (const [key, expiry] of this.expiries) {
      if (expiry > current) break;
      this.expiries.delete(key);
    }
  }
}
