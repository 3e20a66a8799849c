// Bounded LRU of values (decisions) with a TTL per entry, indexed by tags naming the signals a
// decision depended on (`session:<id>`, `subject:<entity key>`, `device:<id>`, `ip:<address>`), so that revoking a session or changing a
// device drops the affected cached decisions at once (continuous verification: a cached allow must
// not outlive the session or device state it was made for). get and set are O(1): a Map keeps insertion order, and an
// entry is re-inserted on every hit, so the first key is always the least recently used.
import { entityKey } from '../engine/cedar/entity-key.js';
import type { EntityRef } from '../engine/tuple.js';
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

/** The tag of decisions made for one subject (principal), e.g. `subject:User::"alice"`. */
export function subjectTag(subject: EntityRef): string {
  return `subject:${entityKey(subject)}`;
}

/** The tag of decisions made for requests from one client address. */
export function ipTag(address: string): string {
  return `${IP_TAG_PREFIX}${address}`;
}

const IP_TAG_PREFIX = 'ip:';
/** Tag invalidations remembered one by one for in-flight decisions; past this, one "everything changed" mark replaces them (stores fewer, never a stale one). */
const MAX_ITEMISED_INVALIDATIONS = 10_000;

/** The kind of a tag: what comes before its first `:` (`session`, `subject`, `device`, `ip`). */
function tagKind(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(0, colon);
}

/** Bounded LRU of values with per-entry TTL, indexable by tag for invalidation. */
export class DecisionCache<V> {
  readonly #maxEntries: number;
  readonly #clock: () => number;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #byTag = new Map<string, Set<string>>();
  /** Counts invalidations; a decision started at one value must not be stored if its tags were invalidated since. */
  #generation = 0;
  /** Invalidations at or below this generation are no longer itemised (tagInvalidatedAt was emptied): treat every tag as invalidated then. */
  #forgottenThrough = 0;
  readonly #tagInvalidatedAt = new Map<string, number>();
  /** Tags in use by kind, so one kind (the client addresses) can be scanned without visiting every entry. */
  readonly #tagsByKind = new Map<string, Set<string>>();

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

  /** The current invalidation generation: read it before deciding, pass it to `set` with the decision. */
  generation(): number {
    return this.#generation;
  }

  /**
   * Stores `value` for `ttlSeconds`. ttlSeconds <= 0 (or not a number) → not stored; maxEntries 0 →
   * never stores. With `decidedSince` (a generation() read before the decision was made), the value
   * is not stored when one of its tags — or everything — was invalidated after that: a decision
   * that was in flight while a signal changed was made on the old state and must not outlive it.
   */
  set(key: string, value: V, ttlSeconds: number, tags: readonly string[] = [], decidedSince?: number): void {
    // A decision made on state that has changed since supersedes nothing: a newer one may be cached.
    if (decidedSince !== undefined && this.#invalidatedSince(decidedSince, tags)) return;
    // The new value supersedes any cached one even when it may not be cached itself: serving the
    // older value after a newer decision said "do not cache" would be serving a stale decision.
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#delete(key, previous);
    if (this.#maxEntries === 0 || !(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) return;

    this.#entries.set(key, { value, expiresAtMs: this.#clock() + ttlSeconds * 1000, tags });
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (keys === undefined) {
        this.#byTag.set(tag, new Set([key]));
        this.#noteTag(tag);
      } else keys.add(key);
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
    this.#noteInvalidation(tag);
    const keys = this.#byTag.get(tag);
    if (keys === undefined) return 0;
    let dropped = 0;
    for (const key of [...keys]) {
      const entry = this.#entries.get(key);
      if (entry === undefined) continue;
      this.#delete(key, entry);
      dropped += 1;
    }
    this.#forgetTag(tag);
    return dropped;
  }

  /** Drops every entry of the subject (principal); returns how many were dropped. */
  invalidateSubject(subject: EntityRef): number {
    return this.invalidate(subjectTag(subject));
  }

  /**
   * Drops every entry decided for a client address the test accepts (e.g. "inside one of these
   * threat-list prefixes"); returns the addresses that had entries. Visits the distinct addresses
   * in the cache, not its entries.
   */
  invalidateAddresses(matches: (address: string) => boolean): string[] {
    const hit: string[] = [];
    // Addresses decided while this runs are not in the cache yet: only a full generation bump
    // keeps their in-flight decisions from being stored (the prefixes name no single tag).
    this.#noteInvalidation(undefined);
    for (const tag of [...(this.#tagsByKind.get(tagKind(IP_TAG_PREFIX)) ?? [])]) {
      const address = tag.slice(IP_TAG_PREFIX.length);
      if (!matches(address)) continue;
      this.invalidate(tag);
      hit.push(address);
    }
    return hit;
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
    this.#noteInvalidation(undefined);
    this.#entries.clear();
    this.#byTag.clear();
    this.#tagsByKind.clear();
  }

  /** Records an invalidation of `tag` (undefined: of everything). */
  #noteInvalidation(tag: string | undefined): void {
    this.#generation += 1;
    if (tag === undefined || this.#tagInvalidatedAt.size >= MAX_ITEMISED_INVALIDATIONS) {
      this.#tagInvalidatedAt.clear();
      this.#forgottenThrough = this.#generation;
      return;
    }
    this.#tagInvalidatedAt.set(tag, this.#generation);
  }

  #invalidatedSince(generation: number, tags: readonly string[]): boolean {
    if (this.#forgottenThrough > generation) return true;
    return tags.some((tag) => (this.#tagInvalidatedAt.get(tag) ?? 0) > generation);
  }

  #noteTag(tag: string): void {
    const kind = tagKind(tag);
    const tags = this.#tagsByKind.get(kind);
    if (tags === undefined) this.#tagsByKind.set(kind, new Set([tag]));
    else tags.add(tag);
  }

  #forgetTag(tag: string): void {
    this.#byTag.delete(tag);
    const kind = tagKind(tag);
    const tags = this.#tagsByKind.get(kind);
    tags?.delete(tag);
    if (tags?.size === 0) this.#tagsByKind.delete(kind);
  }

  #delete(key: string, entry: Entry<V>): void {
    this.#entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.#byTag.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.#forgetTag(tag);
    }
  }
}
