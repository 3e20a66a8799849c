// oidc-provider's storage port (its `Adapter` interface), in memory: sessions, interactions, codes,
// tokens and grants of the development IdP live only as long as the process. oidc-provider ships a
// similar adapter but warns on stdout when it is used; this one is ours, bounded, and per instance
// (two dev IdPs in one process, as in tests, share nothing).
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** Models whose entries are revoked together when their grant is (oidc-provider `revokeByGrantId`). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** Beyond this many entries, expired ones are swept on write; a dev IdP never gets near it in use. */
const SWEEP_ABOVE = 10_000;

interface Entry {
  readonly payload: AdapterPayload;
  /** Epoch milliseconds; Infinity when oidc-provider gave no lifetime. */
  readonly expiresAt: number;
}

export interface MemoryStorage {
  readonly entries: Map<string, Entry>;
  readonly sessionsByUid: Map<string, string>;
  readonly grants: Map<string, Set<string>>;
}

export function createMemoryStorage(): MemoryStorage {
  return { entries: new Map(), sessionsByUid: new Map(), grants: new Map() };
}

/** An oidc-provider `adapter` factory: one adapter per model name, all over the same storage. */
export function memoryAdapterFactory(storage: MemoryStorage, now: () => number = Date.now): (model: string) => Adapter {
  return (model) => new MemoryAdapter(model, storage, now);
}

class MemoryAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly storage: MemoryStorage,
    private readonly now: () => number,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const { entries, sessionsByUid, grants } = this.storage;
    if (entries.size > SWEEP_ABOVE) this.sweep();
    const key = this.key(id);
    entries.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? this.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session' && typeof payload.uid === 'string') sessionsByUid.set(payload.uid, id);
    if (GRANTABLE.has(this.model) && typeof payload.grantId === 'string') {
      const members = grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      grants.set(payload.grantId, members);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const key = this.key(id);
    const entry = this.storage.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.storage.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.storage.sessionsByUid.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    // The device flow is not enabled on the development IdP.
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.storage.entries.get(this.key(id));
    if (entry !== undefined) entry.payload.consumed = Math.floor(this.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    const key = this.key(id);
    const entry = this.storage.entries.get(key);
    this.storage.entries.delete(key);
    if (entry !== undefined && this.model === 'Session' && typeof entry.payload.uid === 'string') this.storage.sessionsByUid.delete(entry.payload.uid);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const members = this.storage.grants.get(grantId);
    if (members === undefined) return;
    for (const key of members) this.storage.entries.delete(key);
    this.storage.grants.delete(grantId);
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.storage.entries) if (entry.expiresAt <= now) this.storage.entries.delete(key);
    for (const [uid, id] of this.storage.sessionsByUid) if (!this.storage.entries.has(`Session:${id}`)) this.storage.sessionsByUid.delete(uid);
    for (const [grantId, members] of this.storage.grants) {
      for (const key of members) if (!this.storage.entries.has(key)) members.delete(key);
      if (members.size === 0) this.storage.grants.delete(grantId);
    }
  }
}
