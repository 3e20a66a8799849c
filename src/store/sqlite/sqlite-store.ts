// The embedded store: one SQLite file (better-sqlite3) holding signals, tokens, settings, login
// sessions and the decision log. Opening it configures durability, migrates the schema, and
// assembles the ports.
import type Database from 'better-sqlite3';
import { TenetError } from '../../errors.js';
import type { Store } from '../ports.js';
import { SqliteApiTokenStore } from './api-token-store.js';
import { SqliteAuditStore } from './audit-store.js';
import { SqliteDeviceIdentityStore } from './device-identity-store.js';
import { SqliteDeviceStore } from './device-store.js';
import { SqliteEntityStore } from './entity-store.js';
import { DEFAULT_BUSY_TIMEOUT_MS, openConnection } from './connection.js';
import { toStoreError } from './errors.js';
import { migrate } from './migrate.js';
import { SqlitePasskeyStore } from './passkey-store.js';
import { SqliteSessionStore } from './session-store.js';
import { SqliteSettingsStore } from './settings-store.js';
import { SqliteSubjectSignalStore } from './subject-signal-store.js';
import { SqliteSsfReceiverStore } from './ssf-receiver-store.js';
import { SqliteSsfTransmitterStore } from './ssf-transmitter-store.js';
import { SqliteThreatFeedStateStore, SqliteThreatIntelStore } from './threat-intel-store.js';

export interface SqliteStoreOptions {
  /** Database file, or `:memory:` (tests). The parent directory is created when missing. */
  readonly path: string;
  /** How long a writer waits for another connection's lock before failing with TENET_ERR_STORE_BUSY. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/** Opens (creating and migrating when needed) a SQLite store. Rejects with TENET_ERR_STORE_* errors. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const db = openConnection(options.path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw toStoreError(error, `migrating the store at ${options.path}`);
  }
  return assemble(db);
}

function assemble(db: Database.Database): Store {
  return {
    kind: 'sqlite',
    entities: new SqliteEntityStore(db),
    devices: new SqliteDeviceStore(db),
    threats: new SqliteThreatIntelStore(db),
    threatFeeds: new SqliteThreatFeedStateStore(db),
    apiTokens: new SqliteApiTokenStore(db),
    audit: new SqliteAuditStore(db),
    settings: new SqliteSettingsStore(db),
    sessions: new SqliteSessionStore(db),
    deviceIdentity: new SqliteDeviceIdentityStore(db),
    passkeys: new SqlitePasskeyStore(db),
    subjectSignals: new SqliteSubjectSignalStore(db),
    ssfReceiver: new SqliteSsfReceiverStore(db),
    ssfTransmitter: new SqliteSsfTransmitterStore(db),
    async ping() {
      try {
        db.prepare('SELECT 1').get();
      } catch (error) {
        throw new TenetError('TENET_ERR_STORE_UNAVAILABLE', `the SQLite store at ${db.name} cannot be used: ${(error as Error).message}`, [], { cause: error });
      }
    },
    async close() {
      // Idempotent: shutdown paths may close twice. Closing checkpoints the WAL into the main file.
      if (db.open) db.close();
    },
  };
}
