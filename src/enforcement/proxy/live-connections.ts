// Upgraded connections (WebSockets) outlive the decision that admitted them. NIST SP 800-207 §3.4
// asks for continuous verification: when a session is revoked its live connections must be cut,
// so every upgraded connection is registered under the session that opened it.

export interface LiveConnection {
  /** The session that opened it; undefined for routes that admitted the request without one. */
  readonly sessionId: string | undefined;
  readonly route: string;
  /** Cuts both sides at once. */
  close(): void;
}

export class LiveConnections {
  readonly #bySession = new Map<string, Set<LiveConnection>>();
  readonly #all = new Set<LiveConnection>();

  /** Registers a connection; the returned function forgets it (call it when the connection ends). */
  add(connection: LiveConnection): () => void {
    this.#all.add(connection);
    if (connection.sessionId !== undefined) {
      let set = this.#bySession.get(connection.sessionId);
      if (!set) {
        set = new Set();
        this.#bySession.set(connection.sessionId, set);
      }
      set.add(connection);
    }
    return () => this.#forget(connection);
  }

  /** Cuts every connection opened by the session; returns how many were cut. */
  closeSession(sessionId: string): number {
    const set = this.#bySession.get(sessionId);
    if (!set) return 0;
    const connections = [...set];
    for (const connection of connections) {
      this.#forget(connection);
      connection.close();
    }
    return connections.length;
  }

  /** Cuts every live connection (shutdown, or a policy change that invalidates everything). */
  closeAll(): number {
    const connections = [...this.#all];
    for (const connection of connections) {
      this.#forget(connection);
      connection.close();
    }
    return connections.length;
  }

  get size(): number {
    return this.#all.size;
  }

  /** How many live connections the session holds. */
  countForSession(sessionId: string): number {
    return this.#bySession.get(sessionId)?.size ?? 0;
  }

  #forget(connection: LiveConnection): void {
    this.#all.delete(connection);
    if (connection.sessionId === undefined) return;
    const set = this.#bySession.get(connection.sessionId);
    set?.delete(connection);
    if (set?.size === 0) this.#bySession.delete(connection.sessionId);
  }
}
