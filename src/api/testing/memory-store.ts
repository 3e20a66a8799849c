// Test double for the API tests: an in-memory Store implementing every port with Maps. The SQLite
// adapter (src/store/sqlite) passes the shared contract suite; this one only has to be faithful
// enough for HTTP-layer tests (all-or-nothing writes are trivially so here).
import type { AuditCheckpoint, AuditPage, AuditQuery, AuditRecord } from '../../audit/record.js';
import type { CedarEntity, DevicePosture, DeviceRecord, DeviceStatus } from '../../engine/signals.js';
import type { EntityRef } from '../../engine/tuple.js';
import { TenetError } from '../../errors.js';
import type { ApiTokenRecord, Store, ThreatIndicator } from '../../store/ports.js';

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
