// Test double for the API tests: an in-memory Store implementing every port with Maps. The SQLite
// adapter (src/store/sqlite) passes the shared contract suite; this one only has to be faithful
// enough for HTTP-layer tests (all-or-nothing writes are trivially so here).
import type { AuditCheckpoint, AuditPage, AuditQuery, AuditRecord } from '../../audit/record.js';
import type { CedarEntity, DevicePosture, DeviceRecord, DeviceStatus } from '../../engine/signals.js';
import type { EntityRef } from '../../engine/tuple.js';
import { TenetError } from '../../errors.js';
import type { LoginState, SessionHandoff, SessionRecord } from '../../sessions/session.js';
import type { ApiTokenRecord, SessionStore, Store, ThreatIndicator } from '../../store/ports.js';
import { openConnection } from '../../store/sqlite/connection.js';
import { SqliteDeviceIdentityStore } from '../../store/sqlite/device-identity-store.js';
import { SqlitePasskeyStore } from '../../store/sqlite/passkey-store.js';
import { SqliteSubjectSignalStore } from '../../store/sqlite/subject-signal-store.js';
import { SqliteThreatFeedStateStore } from '../../store/sqlite/threat-intel-store.js';
import { SqliteSsfReceiverStore } from '../../store/sqlite/ssf-receiver-store.js';
import { SqliteSsfTransmitterStore } from '../../store/sqlite/ssf-transmitter-store.js';
import { migrate } from '../../store/sqlite/migrate.js';

const key = (ref: EntityRef): string => `${ref.type}::${JSON.stringify(ref.id)}`;

export interface MemoryStore extends Store {
  /** When set, ping() and token lookups fail as an unreachable store would. */
  down: boolean;
}

export function memoryStore(): MemoryStore {
  const entities = new Map<string, CedarEntity>();
  const devices = new Map<string, DeviceRecord>();
  const history = new Map<string, DevicePosture[]>();
  let threats: ThreatIndicator[] = [];
  const tokens = new Map<string, ApiTokenRecord>();
  const audit: AuditRecord[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  const settings = new Map<string, string>();

  const store: MemoryStore = {
    kind: 'sqlite',
    down: false,
    entities: {
      list: async () => [...entities.values()],
      get: async (ref) => entities.get(key(ref)),
      upsertMany: async (items) => {
        for (const entity of items) entities.set(key(entity.uid), entity);
      },
      remove: async (refs) => refs.filter((ref) => entities.delete(key(ref))).length,
      count: async () => entities.size,
    },
    devices: {
      list: async () => [...devices.values()],
      get: async (id) => devices.get(id),
      upsertMany: async (items) => {
        for (const device of items) devices.set(device.id, device);
      },
      recordPosture: async (id, posture) => {
        history.set(id, [...(history.get(id) ?? []), posture]);
      },
      setStatus: async (id: string, status: DeviceStatus) => {
        const device = devices.get(id);
        if (device !== undefined) devices.set(id, { ...device, status });
      },
      postureHistory: async (id, limit) => (history.get(id) ?? []).slice(-limit),
      remove: async (id) => devices.delete(id),
    },
    threats: {
      list: async () => [...threats],
      replaceSource: async (source, items) => {
        threats = [...threats.filter((item) => item.source !== source), ...items];
      },
      upsertMany: async (items) => {
        threats = [...threats.filter((old) => !items.some((item) => item.indicator === old.indicator && item.source === old.source)), ...items];
      },
      remove: async (indicator, source) => {
        const before = threats.length;
        threats = threats.filter((item) => !(item.indicator === indicator && (source === undefined || item.source === source)));
        return before - threats.length;
      },
    },
    apiTokens: {
      create: async (record) => {
        tokens.set(record.tokenHash, record);
      },
      findByHash: async (hash) => {
        if (store.down) throw new TenetError('TENET_ERR_STORE_UNAVAILABLE', 'database file /var/lib/tenet/tenet.db is locked');
        return tokens.get(hash);
      },
      list: async () => [...tokens.values()],
      revoke: async (id, at) => {
        for (const [hash, record] of tokens) {
          if (record.id === id) {
            tokens.set(hash, { ...record, revokedAt: at });
            return true;
          }
        }
        return false;
      },
    },
    audit: {
      append: async (records) => {
        audit.push(...records);
      },
      last: async () => audit.at(-1),
      range: async (fromSeq, limit) => audit.filter((record) => record.seq >= fromSeq && record.seq < fromSeq + limit),
      query: async (query: AuditQuery): Promise<AuditPage> => {
        const start = query.cursor === undefined ? 0 : Number(query.cursor);
        const matching = audit.filter(
          (record) =>
            (query.subject === undefined || record.subject === query.subject) &&
            (query.resource === undefined || record.resource === query.resource) &&
            (query.outcome === undefined || record.outcome === query.outcome) &&
            (query.from === undefined || record.time >= query.from) &&
            (query.to === undefined || record.time < query.to),
        );
        const records = matching.slice(start, start + query.limit);
        return start + query.limit < matching.length ? { records, nextCursor: String(start + query.limit) } : { records };
      },
      addCheckpoint: async (checkpoint) => {
        checkpoints.push(checkpoint);
      },
      checkpoints: async () => [...checkpoints],
    },
    sessions: memorySessionStore(),
    // Device identity is stateful enough (single use, first decision wins) that a copy here would
    // drift from the contract: the real adapter runs on a private in-memory SQLite database.
    deviceIdentity: new SqliteDeviceIdentityStore(migratedMemoryDatabase()),
    // Passkeys likewise run on the real adapter (the passkey contract), on their own private database.
    passkeys: new SqlitePasskeyStore(migratedMemoryDatabase()),
    subjectSignals: new SqliteSubjectSignalStore(migratedMemoryDatabase()),
    threatFeeds: new SqliteThreatFeedStateStore(migratedMemoryDatabase()),
    ssfReceiver: new SqliteSsfReceiverStore(migratedMemoryDatabase()),
    ssfTransmitter: new SqliteSsfTransmitterStore(migratedMemoryDatabase()),
    settings: {
      get: async (name) => settings.get(name),
      put: async (name, value) => {
        settings.set(name, value);
      },
    },
    ping: async () => {
      if (store.down) throw new TenetError('TENET_ERR_STORE_UNAVAILABLE', 'database file /var/lib/tenet/tenet.db is locked');
    },
    close: async () => {},
  };
  return store;
}

/** The SessionStore port over Maps, with the same semantics as SQLite (the session contract runs on it: src/sessions/session-store-double.test.ts). */
function memorySessionStore(): SessionStore {
  const sessions = new Map<string, SessionRecord>();
  const loginStates = new Map<string, LoginState>();
  const handoffs = new Map<string, SessionHandoff>();

  const instant = (text: string, code: 'TENET_ERR_STORE_CONSTRAINT' | 'TENET_ERR_STORE_INVALID_ARGUMENT'): number => {
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(ms)) throw new TenetError(code, `"${text}" is not an ISO 8601 time with an offset`);
    return ms;
  };
  const isActive = (record: SessionRecord, atMs: number): boolean => record.revokedAt === undefined && instant(record.expiresAt, 'TENET_ERR_STORE_CONSTRAINT') > atMs;
  const revokeWhere = (matches: (record: SessionRecord) => boolean, at: string): string[] => {
    const atMs = instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
    const revoked: string[] = [];
    for (const record of sessions.values()) {
      if (isActive(record, atMs) && matches(record)) {
        sessions.set(record.id, { ...record, revokedAt: at });
        revoked.push(record.id);
      }
    }
    return revoked.sort();
  };
  const take = <T extends { readonly expiresAt: string }>(map: Map<string, T>, id: string, at: string): T | undefined => {
    const atMs = instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
    const item = map.get(id);
    map.delete(id);
    return item === undefined || instant(item.expiresAt, 'TENET_ERR_STORE_CONSTRAINT') <= atMs ? undefined : item;
  };
  const conflict = (what: string): TenetError => new TenetError('TENET_ERR_STORE_CONFLICT', `a ${what} with the same id already exists`);

  return {
    create: async (record) => {
      for (const time of [record.createdAt, record.lastSeenAt, record.expiresAt, record.revokedAt]) if (time !== undefined) instant(time, 'TENET_ERR_STORE_CONSTRAINT');
      if (sessions.has(record.id)) throw conflict('session');
      sessions.set(record.id, record);
    },
    get: async (id) => sessions.get(id),
    touch: async (id, at) => {
      const atMs = instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      const record = sessions.get(id);
      if (record !== undefined && instant(record.lastSeenAt, 'TENET_ERR_STORE_CONSTRAINT') < atMs) sessions.set(id, { ...record, lastSeenAt: at });
    },
    revoke: async (id, at) => {
      instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      const record = sessions.get(id);
      if (record === undefined || record.revokedAt !== undefined) return false;
      sessions.set(id, { ...record, revokedAt: at });
      return true;
    },
    revokeLogin: async (loginId, at) => revokeWhere((record) => record.loginId === loginId, at),
    updateLoginAuthn: async (loginId, authn, at) => {
      const atMs = instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      const changed: string[] = [];
      for (const record of sessions.values()) {
        if (isActive(record, atMs) && record.loginId === loginId) {
          sessions.set(record.id, { ...record, authn });
          changed.push(record.id);
        }
      }
      return changed.sort();
    },
    revokeByIdp: async (providerId, match, at) => {
      if (match.idpSubject === undefined && match.idpSessionId === undefined) {
        throw new TenetError('TENET_ERR_STORE_INVALID_ARGUMENT', 'revoking sessions by identity provider needs an IdP subject, an IdP session id, or both');
      }
      return revokeWhere(
        ({ identity }) =>
          identity.providerId === providerId &&
          (match.idpSubject === undefined || identity.idpSubject === match.idpSubject) &&
          (match.idpSessionId === undefined || identity.idpSessionId === match.idpSessionId),
        at,
      );
    },
    listActive: async (at, subject) => {
      const atMs = instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      const created = (record: SessionRecord): number => instant(record.createdAt, 'TENET_ERR_STORE_CONSTRAINT');
      return [...sessions.values()]
        .filter((record) => isActive(record, atMs) && (subject === undefined || key(record.identity.subject) === subject))
        .sort((a, b) => created(b) - created(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    },
    listActiveByIdentity: async (at, match) => {
      const atMs = instant(at, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      const created = (record: SessionRecord): number => instant(record.createdAt, 'TENET_ERR_STORE_CONSTRAINT');
      const matches = (record: SessionRecord): boolean =>
        'email' in match ? record.identity.email?.toLowerCase() === match.email.toLowerCase() : record.identity.providerId === match.providerId && record.identity.idpSubject === match.idpSubject;
      return [...sessions.values()].filter((record) => isActive(record, atMs) && matches(record)).sort((a, b) => created(b) - created(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    },
    purge: async (before) => {
      const beforeMs = instant(before, 'TENET_ERR_STORE_INVALID_ARGUMENT');
      const ended = (time: string | undefined): boolean => time !== undefined && instant(time, 'TENET_ERR_STORE_CONSTRAINT') < beforeMs;
      let removed = 0;
      for (const record of sessions.values()) {
        if (ended(record.expiresAt) || ended(record.revokedAt)) {
          sessions.delete(record.id);
          removed += 1;
        }
      }
      for (const state of loginStates.values()) if (ended(state.expiresAt)) loginStates.delete(state.id);
      for (const handoff of handoffs.values()) if (ended(handoff.expiresAt) || !sessions.has(handoff.sessionId)) handoffs.delete(handoff.id);
      return removed;
    },
    putLoginState: async (state) => {
      instant(state.expiresAt, 'TENET_ERR_STORE_CONSTRAINT');
      if (loginStates.has(state.id)) throw conflict('login state');
      loginStates.set(state.id, state);
    },
    takeLoginState: async (id, at) => take(loginStates, id, at),
    putHandoff: async (handoff) => {
      instant(handoff.expiresAt, 'TENET_ERR_STORE_CONSTRAINT');
      if (handoffs.has(handoff.id)) throw conflict('hand-off');
      if (!sessions.has(handoff.sessionId)) throw new TenetError('TENET_ERR_STORE_CONSTRAINT', `hand-off for unknown session ${handoff.sessionId}`);
      handoffs.set(handoff.id, handoff);
    },
    takeHandoff: async (id, at) => take(handoffs, id, at),
  };
}

function migratedMemoryDatabase(): ReturnType<typeof openConnection> {
  const db = openConnection(':memory:');
  migrate(db);
  return db;
}
