// Composition root for everything that decides: the store, the decision log on top of it, and the
// PDP. `tenet serve` adds the HTTP API (src/server.ts); `tenet check`, `tenet policy test` and the
// tests use this directly. Only this file and src/server.ts wire concrete pieces together.
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { AuditLog, loadOrCreateAuditKey, type AuditSigningKey } from './audit/index.js';
import { resolveInput, type LoadedConfig } from './config/load.js';
import { PolicyDecisionPoint } from './pdp/service.js';
import { openSqliteStore } from './store/sqlite/index.js';
import type { Store } from './store/ports.js';

export interface RuntimeOptions {
  /** Overrides `store.path` (e.g. `:memory:` for golden tests). */
  readonly storePath?: string;
  readonly logger?: Logger;
  readonly clock?: () => Date;
}

export interface Runtime {
  readonly loaded: LoadedConfig;
  readonly store: Store;
  readonly auditLog: AuditLog;
  readonly auditKey: AuditSigningKey;
  readonly pdp: PolicyDecisionPoint;
  readonly logger: Logger;
  /** Flushes the decision log (signing a final checkpoint) and closes the store. */
  close(): Promise<void>;
}

export async function openRuntime(loaded: LoadedConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? pino({ level: loaded.config.logging.level });
  const store = await openSqliteStore({ path: options.storePath ?? loaded.config.store.path });
  try {
    const { audit } = loaded.config;
    const auditKey = await loadOrCreateAuditKey(store.settings, audit.signingKey === undefined ? undefined : readFileSync(resolveInput(loaded, audit.signingKey), 'utf8'));
    const auditLog = await AuditLog.open({
      store: store.audit,
      signingKey: auditKey,
      checkpointEvery: audit.checkpointEvery,
      maxQueue: audit.maxQueue,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      onError: (error) => logger.error({ code: error.code, err: error.message }, 'decision log write failed'),
    });
    const pdp = await PolicyDecisionPoint.start({ loaded, store, log: auditLog, logger, ...(options.clock === undefined ? {} : { clock: options.clock }) });
    return {
      loaded,
      store,
      auditLog,
      auditKey,
      pdp,
      logger,
      async close() {
        try {
          await auditLog.close();
        } finally {
          await store.close();
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
