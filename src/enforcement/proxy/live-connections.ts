// Upgraded connections (WebSockets) outlive the decision that admitted them. NIST SP 800-207 §3.4
// asks for continuous verification: when a signal the admitting decision used changes (session
// revoked, subject or device changed, client address on a threat list) the connection must be
// re-checked or cut. So every upgraded connection is registered with what it was admitted with —
// session, subject, device, client address, route, the admitting decision — indexed by the same
// tags the decision cache uses (src/sessions/decision-cache.ts), and with a closure that runs the
// access pipeline again for its original facts.
import type { EntityRef } from '../../engine/tuple.js';
import { deviceTag, ipTag, sessionTag, subjectTag } from '../../sessions/decision-cache.js';

/** What a re-check of a live connection concluded. */
export interface RecheckResult {
  /** True only for an allow; every other verdict (deny, step-up, unauthenticated, …) cuts the connection. */
  readonly allowed: boolean;
  /** The verdict kind and, on deny, the decision's first reason: for the log line. */
  readonly reason: string;
  /** The re-check's decision id, when a decision was made. */
  readonly decisionId?: string;
}

export interface LiveConnection {
  /** The session that opened it; undefined for routes that admitted the request without one (bearer tokens). */
  readonly sessionId: string | undefined;
  readonly route: string;
  /** The principal admitted. */
  readonly subject?: EntityRef;
  /** The device a verified client certificate named. */
  readonly deviceId?: string;
  /** The client address the decision saw. */
  readonly clientIp?: string;
  /** The admitting decision's id. */
  readonly decisionId?: string;
  /** The admitting decision's `obligations.reevaluateAfterSeconds`: re-checked this often while it lasts (0 or absent: only on signal changes). */
  readonly reevaluateAfterSeconds?: number;
  /** Runs the access pipeline again for the facts it was admitted with, bypassing the decision cache. Absent: it cannot be re-checked, so a change that needs a re-check cuts it. */
  recheck?(): Promise<RecheckResult>;
  /** Cuts both sides at once. */
  close(): void;
}

/** Called for every registered connection; what it returns runs when the connection is forgotten (timers to clear). */
export type ConnectionWatcher = (connection: LiveConnection) => (() => void) | void;

export class LiveConnections {
  readonly #byTag = new Map<string, Set<LiveConnection>>();
  readonly #all = new Map<LiveConnection, readonly (() => void)[]>();
  readonly #watchers = new Set<ConnectionWatcher>();

  /** Registers a connection; the returned function forgets it (call it when the connection ends). */
  add(connection: LiveConnection): () => void {
    const cleanups: (() => void)[] = [];
    for (const watcher of this.#watchers) {
      const cleanup = watcher(connection);
      if (cleanup !== undefined) cleanups.push(cleanup);
    }
    this.#all.set(connection, cleanups);
    for (const tag of tagsOf(connection)) {
      let set = this.#byTag.get(tag);
      if (!set) {
        set = new Set();
        this.#byTag.set(tag, set);
      }
      set.add(connection);
    }
    return () => this.#forget(connection);
  }

  /** Calls `watcher` for every connection registered from now on (continuous verification's periodic re-checks). Returns an unsubscribe function. */
  watch(watcher: ConnectionWatcher): () => void {
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  /** The live connections carrying a tag (`session:…`, `subject:…`, `device:…`, `ip:…`). */
  withTag(tag: string): LiveConnection[] {
    return [...(this.#byTag.get(tag) ?? [])];
  }

  /** The live connections from client addresses the test accepts; visits distinct addresses, not connections. */
  fromAddresses(matches: (address: string) => boolean): LiveConnection[] {
    const found: LiveConnection[] = [];
    for (const [tag, set] of this.#byTag) {
      if (tag.startsWith('ip:') && matches(tag.slice(3))) found.push(...set);
    }
    return found;
  }

  /** Every live connection. */
  list(): LiveConnection[] {
    return [...this.#all.keys()];
  }

  /** Cuts one connection (a re-check denied it) and forgets it. */
  cut(connection: LiveConnection): void {
    this.#forget(connection);
    connection.close();
  }

  /** Cuts every connection opened by the session; returns how many were cut. */
  closeSession(sessionId: string): number {
    const connections = this.withTag(sessionTag(sessionId));
    for (const connection of connections) this.cut(connection);
    return connections.length;
  }

  /** Cuts every live connection (shutdown). */
  closeAll(): number {
    const connections = this.list();
    for (const connection of connections) this.cut(connection);
    return connections.length;
  }

  get size(): number {
    return this.#all.size;
  }

  /** How many live connections the session holds. */
  countForSession(sessionId: string): number {
    return this.#byTag.get(sessionTag(sessionId))?.size ?? 0;
  }

  /** True while the connection is registered (not yet ended or cut). */
  has(connection: LiveConnection): boolean {
    return this.#all.has(connection);
  }

  #forget(connection: LiveConnection): void {
    const cleanups = this.#all.get(connection);
    if (cleanups === undefined) return;
    this.#all.delete(connection);
    for (const cleanup of cleanups) cleanup();
    for (const tag of tagsOf(connection)) {
      const set = this.#byTag.get(tag);
      set?.delete(connection);
      if (set?.size === 0) this.#byTag.delete(tag);
    }
  }
}

function tagsOf(connection: LiveConnection): string[] {
  return [
    ...(connection.sessionId === undefined ? [] : [sessionTag(connection.sessionId)]),
    ...(connection.subject === undefined ? [] : [subjectTag(connection.subject)]),
    ...(connection.deviceId === undefined ? [] : [deviceTag(connection.deviceId)]),
    ...(connection.clientIp === undefined ? [] : [ipTag(connection.clientIp)]),
  ];
}
