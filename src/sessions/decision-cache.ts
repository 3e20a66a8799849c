// Bounded LRU of values (decisions) with a TTL per entry, indexed by tags naming the signals a
// decision depended on (`session:<id>`, `device:<id>`), so that revoking a session or changing a
// device drops the affected cached decisions at once (continuous verification: a cached allow must
// not outlive the session or device state it was made for). get and set are O(1): a Map keeps insertion order, and an
// entry is re-inserted on every hit, so the first key is always the least recently used.
import { TenetError } from '../errors.js';

interface Entry<V> {
  readonly value: V;
  /** Clock milliseconds from which the entry is no longer served. */
  readonly expiresAtMs: number;
  readonly tags: readonly string[];
}

/** The tag of decisions made for one session. */
export function sessionTag(sessionId: string): string {
  return `session:${sessionId}`;
}

/** The tag of decisions made with one device's state. */
export function deviceTag(deviceId: string): string {
  return `device:${deviceId}`;
}

/** Bounded LRU of values with per-entry TTL, indexable by tag for invalidation. */
export class DecisionCache<V> {
  readonly #maxEntries: number;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #byTag = new Map<string, Set<string>>();

  constructor(maxEntries: number, clock: () => number = Date.now) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
      throw new TenetError('TENET_ERR_CONFIG_INVALID_LIMIT', `the decision cache size must be a whole number >= 0, got ${maxEntries}`);
    }
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** Stored entries, including expired ones not yet dropped (they go on their next get, or by eviction). */
  get size(): number {
    return this.#entries.size;
  }

  /** The value, or undefined when absent or expired (expired entries are dropped). */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#clock() >= entry.expiresAtMs) {
      this.#delete(key, entry);
      return undefined;
    }
    // Most recently used moves to the end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlSeconds`. ttlSeconds <= 0 (or not a number) → not stored; maxEntries 0 → never stores. */
  set(key: string, value: V, ttlSeconds: number, tags: readonly string[] = []): void {
    // The new value supersedes any cached one even when it may not be cached itself: serving the
    // older value after a newer decision said "do not cache" would be serving a stale decision.
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#delete(key, previous);
    if (this.#maxEntries === 0 || !(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) return;

    this.#entries.set(key, { value, expiresAtMs: this.#clock() + ttlSeconds * 1000, tags });
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (keys === undefined) this.#byTag.set(tag, new Set([key]));
      else keys.add(key);
    }
    // INVARIANT: size <= maxEntries after every set; at most one entry is over the bound here.
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) {
        const entry = this.#entries.get(oldest.value);
        if (entry !== undefined) this.#delete(oldest.value, entry);
      }
    }
  }

  /** Drops every entry carrying the tag; returns how many were dropped. */
  invalidate(tag: string): number {
    const keys = this.#byTag.get(tag);
    if (keys === undefined) return 0;
    let dropped = 0;
    for (const key of [...keys]) {
      const entry = this.#entries.get(key);
      if (entry === undefined) continue;
      this.#delete(key, entry);
      dropped += 1;
    }
    this.#byTag.delete(tag);
    return dropped;
  }

  /** Drops every entry of the session; returns how many were dropped. */
  invalidateSession(sessionId: string): number {
    return this.invalidate(sessionTag(sessionId));
  }

  /** Drops every entry decided with the device's state; returns how many were dropped. */
  invalidateDevice(deviceId: string): number {
    return this.invalidate(deviceTag(deviceId));
  }

  clear(): void {
    this.#entries.clear();
    this.#byTag.clear();
  }

  #delete(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.#byTag.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.#byTag.delete(tag);
    }
  }
}
